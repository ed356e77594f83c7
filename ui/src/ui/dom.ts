// A tiny DOM builder: h("button", { class: "primary", onclick }, "Send").
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") {
        element.addEventListener(key.slice(2), value as EventListener);
      } else if (key === "class") {
        element.className = String(value);
      } else if (key === "testid") {
        element.dataset.testid = String(value);
      } else if (key === "value" && "value" in element) {
        (element as HTMLInputElement).value = String(value);
      } else if (key === "checked" || key === "disabled" || key === "selected" || key === "hidden") {
        (element as unknown as Record<string, unknown>)[key] = Boolean(value);
      } else if (value === true) {
        element.setAttribute(key, "");
      } else {
        element.setAttribute(key, String(value));
      }
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Runs `fn` at most once per `ms` after the last call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { flush(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | null = null;
  const run = (...args: A): void => {
    pending = args;
    clearTimeout(timer);
    timer = setTimeout(() => {
      pending = null;
      fn(...args);
    }, ms);
  };
  run.flush = (): void => {
    if (pending) {
      clearTimeout(timer);
      const args = pending;
      pending = null;
      fn(...args);
    }
  };
  return run;
}

/** Disables a button and shows a busy label while `work` runs. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const before = button.textContent;
  button.disabled = true;
  button.classList.add("is-busy");
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.classList.remove("is-busy");
    button.textContent = before;
  }
}
