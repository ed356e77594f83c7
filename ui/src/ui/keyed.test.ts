// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { selectText } from "../fixtures";
import { KeyedList } from "./keyed";

interface Item {
  id: string;
  text: string;
}

let parent: HTMLElement;
let created: string[];
let list: KeyedList<Item>;

const items = (...texts: string[]): Item[] => texts.map((t) => ({ id: t.split(":")[0], text: t }));
const rows = (): HTMLElement[] => [...parent.children] as HTMLElement[];

beforeEach(() => {
  document.body.innerHTML = "";
  parent = document.createElement("ul");
  document.body.append(parent);
  created = [];
  list = new KeyedList<Item>(
    parent,
    (item) => item.id,
    (item) => {
      created.push(item.id);
      const li = document.createElement("li");
      li.append(document.createElement("span"), document.createElement("button"));
      return li;
    },
    (li, item) => {
      li.querySelector("span")!.textContent = item.text;
    },
  );
});

describe("KeyedList", () => {
  it("keeps the element of an item shown before and updates it in place", () => {
    list.render(items("a:1", "b:1", "c:1"));
    const [a, b, c] = rows();
    list.render(items("a:1", "b:2", "c:1"));
    expect(rows()).toEqual([a, b, c]);
    expect(rows().map((row) => row.textContent)).toEqual(["a:1", "b:2", "c:1"]);
    expect(created).toEqual(["a", "b", "c"]);
  });

  it("adds new items before and after without moving the others: focus and text selection survive", () => {
    list.render(items("b:1", "c:1"));
    const [b, c] = rows();
    const button = c.querySelector("button")!;
    button.focus();
    const text = b.querySelector("span")!.firstChild!;
    selectText(text, 0, 2);

    list.render(items("a:1", "b:1", "c:1", "d:1"));

    expect(rows().map((row) => row.textContent)).toEqual(["a:1", "b:1", "c:1", "d:1"]);
    expect(rows()[1]).toBe(b);
    expect(rows()[2]).toBe(c);
    expect(document.activeElement).toBe(button);
    expect(document.getSelection()!.toString()).toBe("b:");
    expect(created).toEqual(["b", "c", "a", "d"]);
  });

  it("removes the elements of items gone, and anything else in the parent", () => {
    list.render(items("a:1", "b:1"));
    const b = rows()[1];
    parent.append(document.createElement("p"), "stray text");
    list.render(items("b:1"));
    expect(rows()).toEqual([b]);
    expect(parent.childNodes).toHaveLength(1);
    expect(list.element("a")).toBeUndefined();
    expect(list.element("b")).toBe(b);
  });

  it("follows a new order, and builds an item again once it was cleared", () => {
    list.render(items("a:1", "b:1", "c:1"));
    const [a, b, c] = rows();
    list.render(items("c:1", "a:1", "b:1"));
    expect(rows()).toEqual([c, a, b]);
    list.clear();
    expect(parent.childNodes).toHaveLength(0);
    list.render(items("a:1"));
    expect(rows()[0]).not.toBe(a);
    expect(created).toEqual(["a", "b", "c", "a"]);
  });
});
