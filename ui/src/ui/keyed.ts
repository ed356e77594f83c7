// A list of elements kept in step with a list of items by key, for lists that
// update while someone uses them (the credential list, the timeline's events).
// An item shown before keeps its element, brought up to date in place; only
// new items get new elements, and elements already in order are not moved: so
// focus, text selection, hover and scroll inside a row survive an update.

export class KeyedList<T> {
  private readonly elements = new Map<string, HTMLElement>();

  /**
   * @param parent  the element whose children the list owns
   * @param key     an item's key, unique within one `render`
   * @param create  a new element for an item (listeners bound to its key)
   * @param update  brings an element up to date with its item; called after
   *                `create` too, so `create` need only build what never changes
   */
  constructor(
    private readonly parent: HTMLElement,
    private readonly key: (item: T) => string,
    private readonly create: (item: T) => HTMLElement,
    private readonly update: (element: HTMLElement, item: T) => void = () => undefined,
  ) {}

  /** Shows `items`, in order, as the parent's only children. */
  render(items: readonly T[]): void {
    const wanted = new Map<string, T>();
    for (const item of items) wanted.set(this.key(item), item);
    for (const [key, element] of this.elements) {
      if (!wanted.has(key)) {
        element.remove();
        this.elements.delete(key);
      }
    }
    const owned = new Set<Node>(this.elements.values());
    for (const child of [...this.parent.childNodes]) if (!owned.has(child)) child.remove();

    let cursor: ChildNode | null = this.parent.firstChild;
    for (const [key, item] of wanted) {
      let element = this.elements.get(key);
      if (!element) {
        element = this.create(item);
        this.elements.set(key, element);
      }
      this.update(element, item);
      if (element === cursor) cursor = cursor.nextSibling;
      else this.parent.insertBefore(element, cursor);
    }
  }

  /** The element shown for `key`, if any. */
  element(key: string): HTMLElement | undefined {
    return this.elements.get(key);
  }

  /** Removes every element (the parent may then show something else). */
  clear(): void {
    for (const element of this.elements.values()) element.remove();
    this.elements.clear();
  }
}
