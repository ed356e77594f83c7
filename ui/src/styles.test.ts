// The stylesheet's one-line clipped texts (overflow: hidden + nowrap: names in
// lists, timeline cells) leave room below the line for descenders: with a
// tight line-height, "My_CC" would otherwise read "My CC" (its underscores cut).
import { describe, expect, it } from "vitest";
import css from "./styles.css?raw";

interface Rule {
  selector: string;
  declarations: Map<string, string>;
}

/** The innermost rules of a stylesheet (inside @media too), comments dropped. */
function rules(text: string): Rule[] {
  const found: Rule[] = [];
  for (const match of text.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const declarations = new Map<string, string>();
    for (const declaration of match[2].split(";")) {
      const colon = declaration.indexOf(":");
      if (colon > 0) declarations.set(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
    }
    found.push({ selector: match[1].trim(), declarations });
  }
  return found;
}

describe("one-line clipped text", () => {
  const clipped = rules(css).filter((rule) => rule.declarations.get("overflow") === "hidden" && rule.declarations.get("white-space") === "nowrap");

  it("is found where names are shown", () => {
    expect(clipped.map((rule) => rule.selector)).toEqual(expect.arrayContaining([".credential-name", ".event-row > span"]));
  });

  it("clips below its line box, so underscores and descenders stay visible", () => {
    for (const { selector, declarations } of clipped) {
      const room = declarations.get("padding-block");
      // At least 0.15em below the line, whatever its line-height.
      expect({ selector, room }).toEqual({ selector, room: expect.stringMatching(/^0\.(1[5-9]|[2-9])\d*em$/) });
      // Given back by the margin, so the layout does not move.
      expect({ selector, margin: declarations.get("margin-block") }).toEqual({ selector, margin: `-${room}` });
    }
  });
});
