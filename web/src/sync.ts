import type { Schemas } from "./api/client";

type Run = Schemas["SyncState"];
export type Progress = { tone: "ok" | "bad" | "busy"; words: string };

/** Whether a run is a pull (full or incremental), the kind a manual sync starts. */
export function isPull(run: Run): boolean {
  return run.direction === "inbound" && run.operation === "pull";
}

/**
 * Where the pull a manual sync queued has got to: the newest pull among `runs` that was not
 * there when it was queued (`before`, the ids of the runs then; no clock is compared).
 */
export function pullProgress(runs: Run[], before: ReadonlySet<string>): Progress {
  const run = runs.filter((r) => isPull(r) && !before.has(r.id)).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  if (!run) return { tone: "busy", words: "Waiting for the inbound worker to start the pull…" };
  if (run.status === "running") {
    return { tone: "busy", words: `Pulling (${run.syncType}): ${run.itemsProcessed} orders processed so far…` };
  }
  if (run.status === "failed") return { tone: "bad", words: `The ${run.syncType} pull failed: ${run.errorMessage ?? "no reason given"}` };
  const took = run.durationMs == null ? "" : ` in ${run.durationMs} ms`;
  return {
    tone: "ok",
    words:
      `The ${run.syncType} pull completed${took}: ${run.itemsProcessed} processed, ${run.itemsCreated} created, ` +
      `${run.itemsUpdated} updated, ${run.itemsSkipped} skipped, ${run.itemsFailed} failed.`,
  };
}
