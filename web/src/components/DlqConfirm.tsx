import { useMutation, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { ErrorBox } from "./ui";
import { plural, previewWords } from "../dlq";

export type DlqAction = "replay" | "discard";
/** A replay or discard the operator asked for, waiting for the confirmation. */
export type DlqPending = { action: DlqAction; body: Schemas["DlqSelectionBody"]; what: string };
/** What a replay or discard did. */
export type DlqOutcome =
  | { action: "replay"; report: Schemas["ReplayReport"] }
  | { action: "discard"; report: Schemas["DiscardReport"] };

/**
 * The confirmation of a replay or discard: it first asks the api how many messages the
 * selection covers in the whole queue (`POST /dlq/preview`), says so, and runs only on "Yes".
 */
export function DlqConfirm({
  pending,
  onDone,
  onCancel,
}: {
  pending: DlqPending;
  onDone: (outcome: DlqOutcome) => void;
  onCancel: () => void;
}) {
  const preview = useQuery({
    queryKey: ["dlq", "preview", pending],
    queryFn: () => unwrap(api.POST("/api/v1/dlq/preview", { body: pending.body })),
    retry: false,
    staleTime: Infinity,
  });
  const run = useMutation({
    mutationFn: async (): Promise<DlqOutcome> =>
      pending.action === "replay"
        ? { action: "replay", report: await unwrap(api.POST("/api/v1/dlq/replay", { body: pending.body })) }
        : { action: "discard", report: await unwrap(api.POST("/api/v1/dlq/discard", { body: pending.body })) },
    onSuccess: (outcome) => onDone(outcome),
  });
  const verb = pending.action === "replay" ? "Replay" : "Discard";
  const count = preview.data?.matching ?? 0;
  return (
    <div className="confirm" role="dialog" aria-label={`Confirm ${pending.action}`}>
      <p data-testid="preview">
        {verb} {pending.what}:{" "}
        {preview.isLoading ? (
          <span className="muted">counting the messages in the queue…</span>
        ) : preview.data ? (
          <>
            <strong>{plural(count, "message")}</strong>
            <span className="muted"> of {preview.data.total} in the queue</span>. {previewWords(pending.action, preview.data)}
            {pending.action === "replay" && count > 0 && " Fix the cause first."}
          </>
        ) : null}
      </p>
      {preview.error && <ErrorBox error={preview.error} title="Cannot count the messages" />}
      {preview.data && count > 0 && (
        <button onClick={() => run.mutate()} disabled={run.isPending} className={pending.action === "discard" ? "danger" : ""}>
          {run.isPending ? "Working…" : `Yes, ${pending.action} ${count}`}
        </button>
      )}
      <button className="secondary" onClick={onCancel} disabled={run.isPending}>
        Cancel
      </button>
      {run.error && <ErrorBox error={run.error} title="Not done" />}
    </div>
  );
}

/** The result of a replay or discard in words: how many, and why each failure failed. */
export function DlqResult({ outcome }: { outcome: DlqOutcome }) {
  if (outcome.action === "discard") {
    return (
      <div className="state ok" role="status" data-testid="dlq-report">
        Discarded {outcome.report.discarded}.
      </div>
    );
  }
  const r = outcome.report;
  const hidden = r.failed - r.failures.length;
  return (
    <div className={`state ${r.failed > 0 ? "error" : "ok"}`} role="status" data-testid="dlq-report">
      <div>
        Replayed {r.replayed}, failed {r.failed}.
      </div>
      {r.failures.length > 0 && (
        <ul className="failures">
          {r.failures.map((f) => (
            <li key={f.id}>
              <span className="mono">{f.id}</span>: {f.error}
            </li>
          ))}
          {hidden > 0 && <li>and {hidden} more</li>}
        </ul>
      )}
    </div>
  );
}
