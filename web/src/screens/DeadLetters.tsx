import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { useRole } from "../auth";
import { Card, Empty, ErrorBox, Loading, Pill, formatTime } from "../components/ui";
import { distinct, isEmptyFilter, matchesFilter, type DlqFilter } from "../dlq";

type Message = Schemas["DeadLetterInfo"];
type Action = "replay" | "discard";
type Pending = { action: Action; body: Schemas["DlqSelectionBody"]; count: number; what: string };

/** The dead-letter queue: why each message failed, its body; replay or discard with a preview. */
export function DeadLetters({ timeZone }: { timeZone: string }) {
  const { canWrite } = useRole();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ["dlq", "count"],
    queryFn: () => unwrap(api.GET("/api/v1/dlq", { params: { query: { limit: 1000 } } })),
    refetchInterval: 5000,
    retry: false,
  });
  const [filter, setFilter] = useState<DlqFilter>({});
  const [open, setOpen] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: async (p: Pending) => {
      if (p.action === "replay") {
        const r = await unwrap(api.POST("/api/v1/dlq/replay", { body: p.body }));
        return `Replayed ${r.replayed}${r.failed ? `, ${r.failed} failed: ${r.failures.map((f) => f.error).join("; ")}` : ""}.`;
      }
      const r = await unwrap(api.POST("/api/v1/dlq/discard", { body: p.body }));
      return `Discarded ${r.discarded}.`;
    },
    onSuccess: (words) => {
      setReport(words);
      setPending(null);
      queryClient.invalidateQueries({ queryKey: ["dlq"] });
    },
  });

  if (list.isLoading) return <Loading what="the dead-letter queue" />;
  if (list.error) return <ErrorBox error={list.error} title="Cannot read the dead-letter queue" />;
  const messages = list.data?.messages ?? [];
  const shown = messages.filter((m) => matchesFilter(m, filter));
  const ask = (action: Action, body: Schemas["DlqSelectionBody"], count: number, what: string) => {
    setReport(null);
    setPending({ action, body, count, what });
  };

  return (
    <div className="stack">
      <Card title={<>Dead letters <span className="muted">· {list.data?.total ?? 0} in {list.data?.queue}</span></>}>
        <div className="row filters">
          <FilterSelect label="Event" value={filter.eventType} options={distinct(messages, (m) => m.eventType)} onChange={(v) => setFilter({ ...filter, eventType: v })} />
          <FilterSelect label="Reason" value={filter.reason} options={distinct(messages, (m) => m.reason)} onChange={(v) => setFilter({ ...filter, reason: v })} />
          <FilterSelect label="Config" value={filter.configId} options={distinct(messages, (m) => m.configId)} onChange={(v) => setFilter({ ...filter, configId: v })} />
          {canWrite && shown.length > 0 && (
            <>
              <button
                onClick={() =>
                  isEmptyFilter(filter)
                    ? ask("replay", { all: true }, messages.length, "every message")
                    : ask("replay", filter, shown.length, "every message matching the filter")
                }
              >
                Replay {isEmptyFilter(filter) ? "all" : "matching"}…
              </button>
              <button
                className="danger"
                onClick={() =>
                  isEmptyFilter(filter)
                    ? ask("discard", { all: true }, messages.length, "every message")
                    : ask("discard", filter, shown.length, "every message matching the filter")
                }
              >
                Discard {isEmptyFilter(filter) ? "all" : "matching"}…
              </button>
            </>
          )}
        </div>
        {pending && (
          <div className="confirm" role="dialog" aria-label="Confirm">
            <p data-testid="preview">
              {pending.action === "replay" ? "Replay" : "Discard"} {pending.what}:{" "}
              <strong>
                {pending.count} message{pending.count === 1 ? "" : "s"}
              </strong>
              {pending.action === "replay"
                ? " go back to the queue they failed in. Fix the cause first."
                : " are removed for good."}
            </p>
            <button onClick={() => run.mutate(pending)} disabled={run.isPending} className={pending.action === "discard" ? "danger" : ""}>
              {run.isPending ? "Working…" : `Yes, ${pending.action} ${pending.count}`}
            </button>
            <button className="secondary" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        )}
        {report && (
          <div className="state ok" role="status" data-testid="dlq-report">
            {report}
          </div>
        )}
        {run.error && <ErrorBox error={run.error} title="Not done" />}
        {messages.length === 0 ? (
          <Empty>The dead-letter queue is empty: nothing failed for good.</Empty>
        ) : shown.length === 0 ? (
          <Empty>No message matches the filter.</Empty>
        ) : (
          <div className="scroll">
            <table aria-label="Dead letters">
              <thead>
                <tr>
                  <th>Event</th>
                  <th>Reason</th>
                  <th>Queue</th>
                  <th>Attempts</th>
                  <th>First failure</th>
                  <th>Error</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {shown.map((m) => (
                  <Row
                    key={m.id}
                    message={m}
                    timeZone={timeZone}
                    open={open === m.id}
                    toggle={() => setOpen(open === m.id ? null : m.id)}
                    canWrite={canWrite}
                    ask={(action) => ask(action, { messageId: m.id }, 1, `message ${m.id}`)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function Row({
  message: m,
  timeZone,
  open,
  toggle,
  canWrite,
  ask,
}: {
  message: Message;
  timeZone: string;
  open: boolean;
  toggle: () => void;
  canWrite: boolean;
  ask: (action: Action) => void;
}) {
  return (
    <>
      <tr>
        <td>{m.eventType ?? <span className="muted">unknown</span>}</td>
        <td>
          <Pill tone={m.reason === "retries_exhausted" ? "warn" : "bad"}>{m.reason.replace(/_/g, " ")}</Pill>
        </td>
        <td className="mono">{m.originalQueue ?? "—"}</td>
        <td>{m.attempts}</td>
        <td>{formatTime(m.firstFailureAt, timeZone)}</td>
        <td className="bad-text">{m.error ?? ""}</td>
        <td>
<div className="row">
          <button className="secondary" onClick={toggle} aria-expanded={open}>
            {open ? "Close" : "Open"}
          </button>
          {canWrite && (
            <>
              <button onClick={() => ask("replay")}>Replay</button>
              <button className="danger" onClick={() => ask("discard")}>
                Discard
              </button>
            </>
          )}
        </div>
</td>
      </tr>
      {open && (
        <tr className="detail">
          <td colSpan={7}>
            <div className="muted">
              id {m.id} · correlation {m.correlationId ?? "—"} · {m.sizeBytes} bytes · replayed {m.replayCount}×
            </div>
            <pre data-testid="dlq-body">{m.bodyPreview}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: string[];
  onChange: (value: string | undefined) => void;
}) {
  return (
    <label>
      {label}
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
