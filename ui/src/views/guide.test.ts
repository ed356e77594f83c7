// @vitest-environment happy-dom
// The guide's step 3 countdown is one piece of text ("17 s" never splits
// into "17" and "s" at a line end), inside the step's sentence.
import { describe, expect, it } from "vitest";
import { h } from "../ui/dom";
import { detailParts } from "./guide";

const render = (step: { detail: string; countdown: string | null }): HTMLElement => h("div", null, detailParts(step));

describe("a guide step's detail", () => {
  it("keeps its countdown in one element, in the sentence", () => {
    const detail = render({ detail: "The token expires in 4 min 03 s…", countdown: "4 min 03 s" });
    expect(detail.textContent).toBe("The token expires in 4 min 03 s…");
    const countdown = detail.querySelector('[data-testid="guide-countdown"]')!;
    expect(countdown.textContent).toBe("4 min 03 s");
    expect(countdown.classList.contains("countdown")).toBe(true);
  });

  it("is plain text without a countdown", () => {
    const detail = render({ detail: "The Sandbox's access tokens live 20 seconds.", countdown: null });
    expect(detail.textContent).toBe("The Sandbox's access tokens live 20 seconds.");
    expect(detail.querySelector('[data-testid="guide-countdown"]')).toBeNull();
  });
});
