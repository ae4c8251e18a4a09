import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { useRole } from "../auth";
import { Card, Empty, ErrorBox, Loading, Pill, formatTime } from "../components/ui";
import { DlqConfirm, DlqResult, type DlqAction, type DlqOutcome, type DlqPending } from "../components/DlqConfirm";
import {
  allSelected,
  distinct,
  filterBody,
  isEmptyFilter,
  matchesFilter,
  PAGE_SIZE,
  pageOf,
  plural,
  stillListed,
  toggle,
  togglePage,
  type DlqFilter,
} from "../dlq";

type Message = Schemas["DeadLetterInfo"];
const LISTED = 1000;

/**
 * The dead-letter queue: why each message failed and its body; replay or discard one, a
 * multi-selection, or everything matching a filter, each with the count before it runs.
 */
export function DeadLetters({ timeZone, propertyId }: { timeZone: string; propertyId?: string }) {
  const { canWrite } = useRole();
  // config names for the filter (the queue is the installation's: other properties' show as ids)
  const configs = useQuery({
    queryKey: ["configs", propertyId],
    enabled: !!propertyId,
    queryFn: () => unwrap(api.GET("/api/v1/qloapps/configs", { params: { query: { propertyId: propertyId ?? "" } } })),
  });
  const configName = (id: string) => configs.data?.find((c) => c.id.toLowerCase() === id.toLowerCase())?.name ?? id;
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ["dlq", "count"],
    queryFn: () => unwrap(api.GET("/api/v1/dlq", { params: { query: { limit: LISTED } } })),
    refetchInterval: 5000,
    retry: false,
  });
  const [filter, setFilter] = useState<DlqFilter>({});
  const [page, setPage] = useState(0);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [pending, setPending] = useState<DlqPending | null>(null);
  const [outcome, setOutcome] = useState<DlqOutcome | null>(null);

  if (list.isLoading) return <Loading what="the dead-letter queue" />;
  if (list.error) return <ErrorBox error={list.error} title="Cannot read the dead-letter queue" />;
  const messages = list.data?.messages ?? [];
  const total = list.data?.total ?? 0;
  const shown = messages.filter((m) => matchesFilter(m, filter));
  const paged = pageOf(shown, page);
  const pageIds = paged.rows.map((m) => m.id);
  const selected = stillListed(picked, messages);
  const ask = (action: DlqAction, body: Schemas["DlqSelectionBody"], what: string) => {
    setOutcome(null);
    setPending({ action, body, what });
  };
  const changeFilter = (next: DlqFilter) => {
    setFilter(next);
    setPage(0);
    setPicked(new Set());
  };
  const done = (result: DlqOutcome) => {
    setOutcome(result);
    setPending(null);
    setPicked(new Set());
    queryClient.invalidateQueries({ queryKey: ["dlq"] });
    queryClient.invalidateQueries({ queryKey: ["queues"] });
  };
  const whole = isEmptyFilter(filter) ? "every message in the queue" : "every message matching the filter";

  return (
    <div className="stack">
      <Card
        title={
          <>
            Dead letters <span className="muted">· {total} in {list.data?.queue}</span>
          </>
        }
      >
        <div className="row filters">
          <FilterSelect label="Event" value={filter.eventType} options={distinct(messages, (m) => m.eventType)} onChange={(v) => changeFilter({ ...filter, eventType: v })} />
          <FilterSelect label="Reason" value={filter.reason} options={distinct(messages, (m) => m.reason)} onChange={(v) => changeFilter({ ...filter, reason: v })} />
          <FilterSelect
            label="Config"
            value={filter.configId}
            options={distinct(messages, (m) => m.configId)}
            name={configName}
            onChange={(v) => changeFilter({ ...filter, configId: v })}
          />
          {canWrite && shown.length > 0 && (
            <>
              <button onClick={() => ask("replay", filterBody(filter), whole)}>Replay {isEmptyFilter(filter) ? "all" : "matching"}…</button>
              <button className="danger" onClick={() => ask("discard", filterBody(filter), whole)}>
                Discard {isEmptyFilter(filter) ? "all" : "matching"}…
              </button>
            </>
          )}
        </div>
        {canWrite && selected.size > 0 && (
          <div className="row selection-bar" aria-label="Selection">
            <strong data-testid="selected-count">{plural(selected.size, "message")} selected</strong>
            <button onClick={() => ask("replay", { messageIds: [...selected] }, `the ${plural(selected.size, "selected message")}`)}>
              Replay selected…
            </button>
            <button className="danger" onClick={() => ask("discard", { messageIds: [...selected] }, `the ${plural(selected.size, "selected message")}`)}>
              Discard selected…
            </button>
            <button className="link" onClick={() => setPicked(new Set())}>
              Clear selection
            </button>
          </div>
        )}
        {pending && <DlqConfirm key={JSON.stringify(pending)} pending={pending} onDone={done} onCancel={() => setPending(null)} />}
        {outcome && <DlqResult outcome={outcome} />}
        {total > messages.length && (
          <p className="hint">
            The first {messages.length} of {total} are listed (oldest first); the filters and &quot;Replay all / matching&quot;
            cover the whole queue.
          </p>
        )}
        {messages.length === 0 ? (
          <Empty>The dead-letter queue is empty: nothing failed for good.</Empty>
        ) : shown.length === 0 ? (
          <Empty>No message matches the filter.</Empty>
        ) : (
          <>
            <div className="scroll">
              <table aria-label="Dead letters">
                <thead>
                  <tr>
                    {canWrite && (
                      <th>
                        <input
                          type="checkbox"
                          aria-label="Select all on this page"
                          checked={allSelected(selected, pageIds)}
                          onChange={() => setPicked(togglePage(selected, pageIds))}
                        />
                      </th>
                    )}
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
                  {paged.rows.map((m) => (
                    <Row
                      key={m.id}
                      message={m}
                      timeZone={timeZone}
                      open={open === m.id}
                      toggleOpen={() => setOpen(open === m.id ? null : m.id)}
                      canWrite={canWrite}
                      picked={selected.has(m.id)}
                      togglePicked={() => setPicked(toggle(selected, m.id))}
                      ask={(action) => ask(action, { messageId: m.id }, `message ${m.id}`)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            <div className="row pager">
              <span className="muted" data-testid="dlq-page">
                {paged.page * PAGE_SIZE + 1}–{paged.page * PAGE_SIZE + paged.rows.length} of {shown.length}
              </span>
              <button className="secondary" disabled={paged.page === 0} onClick={() => setPage(paged.page - 1)}>
                Previous page
              </button>
              <button className="secondary" disabled={paged.page + 1 >= paged.pages} onClick={() => setPage(paged.page + 1)}>
                Next page
              </button>
            </div>
          </>
        )}
      </Card>
    </div>
  );
}

function Row({
  message: m,
  timeZone,
  open,
  toggleOpen,
  canWrite,
  picked,
  togglePicked,
  ask,
}: {
  message: Message;
  timeZone: string;
  open: boolean;
  toggleOpen: () => void;
  canWrite: boolean;
  picked: boolean;
  togglePicked: () => void;
  ask: (action: DlqAction) => void;
}) {
  return (
    <>
      <tr className={picked ? "picked" : undefined}>
        {canWrite && (
          <td>
            <input type="checkbox" aria-label={`Select ${m.id}`} checked={picked} onChange={togglePicked} />
          </td>
        )}
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
            <button className="secondary" onClick={toggleOpen} aria-expanded={open}>
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
          <td colSpan={canWrite ? 8 : 7}>
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
  name = (o) => o,
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: string[];
  name?: (option: string) => string;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <label>
      {label}
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {name(o)}
          </option>
        ))}
      </select>
    </label>
  );
}
