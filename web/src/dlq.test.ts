import { describe, expect, it } from "vitest";
import { allSelected, filterBody, pageOf, previewWords, stillListed, toggle, togglePage } from "./dlq";
import type { Schemas } from "./api/client";

const message = (id: string) => ({ id }) as Schemas["DeadLetterInfo"];

describe("dead-letter selection", () => {
  it("toggles one id and a whole page", () => {
    const one = toggle(new Set(), "a");
    expect([...one]).toEqual(["a"]);
    expect([...toggle(one, "a")]).toEqual([]);
    const page = togglePage(one, ["a", "b", "c"]);
    expect([...page].sort()).toEqual(["a", "b", "c"]);
    expect(allSelected(page, ["a", "b", "c"])).toBe(true);
    expect([...togglePage(page, ["a", "b"])]).toEqual(["c"]);
    expect(allSelected(new Set(), [])).toBe(false);
  });

  it("drops selected ids that are no longer listed", () => {
    expect([...stillListed(new Set(["a", "gone"]), [message("a"), message("b")])]).toEqual(["a"]);
  });

  it("pages the list and clamps to the last page", () => {
    const items = Array.from({ length: 60 }, (_, i) => i);
    expect(pageOf(items, 0)).toMatchObject({ page: 0, pages: 3 });
    expect(pageOf(items, 2).rows).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    expect(pageOf(items, 9).page).toBe(2);
    expect(pageOf([], 3)).toEqual({ rows: [], page: 0, pages: 1 });
  });

  it("selects the whole queue without a filter, else only the named fields", () => {
    expect(filterBody({})).toEqual({ all: true });
    expect(filterBody({ reason: "permanent", eventType: undefined })).toEqual({ reason: "permanent" });
  });

  it("says how many a preview covers, and which a replay cannot publish", () => {
    const preview = { queue: "q", total: 9, matching: 3, replayable: 2 };
    expect(previewWords("replay", preview)).toBe(
      "3 messages will go back to the queue they failed in. 1 message records no work queue of this installation and will stay, reported as failed.",
    );
    expect(previewWords("discard", { ...preview, matching: 1 })).toBe("1 message will be removed for good.");
    expect(previewWords("replay", { ...preview, matching: 0, replayable: 0 })).toContain("Nothing to replay");
  });
});
