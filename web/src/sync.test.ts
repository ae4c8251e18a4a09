import { describe, expect, it } from "vitest";
import { pullProgress } from "./sync";
import type { Schemas } from "./api/client";

const run = (id: string, status: Schemas["SyncStatus"], extra: Partial<Schemas["SyncState"]> = {}) =>
  ({
    id,
    status,
    direction: "inbound",
    operation: "pull",
    syncType: "full",
    startedAt: `2026-12-01T10:00:0${id.length}Z`,
    itemsProcessed: 4,
    itemsCreated: 1,
    itemsUpdated: 2,
    itemsSkipped: 1,
    itemsFailed: 0,
    durationMs: 120,
    ...extra,
  }) as Schemas["SyncState"];

describe("the progress of a manual sync", () => {
  const old = run("old", "completed");
  const push = run("push1", "running", { direction: "outbound", operation: "create" });

  it("waits until a pull that was not there before starts", () => {
    expect(pullProgress([old, push], new Set(["old"]))).toEqual({ tone: "busy", words: "Waiting for the inbound worker to start the pull…" });
  });

  it("follows the new pull from running to its counts", () => {
    const before = new Set(["old"]);
    expect(pullProgress([run("new", "running", { itemsProcessed: 37 }), old], before).words).toBe(
      "Pulling (full): 37 orders processed so far…",
    );
    expect(pullProgress([run("new", "completed"), old], before)).toEqual({
      tone: "ok",
      words: "The full pull completed in 120 ms: 4 processed, 1 created, 2 updated, 1 skipped, 0 failed.",
    });
    expect(pullProgress([run("new", "failed", { errorMessage: "QloApps answered 401" })], before)).toEqual({
      tone: "bad",
      words: "The full pull failed: QloApps answered 401",
    });
  });
});
