import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { useRole } from "../auth";
import { Card, Empty, ErrorBox, Loading, Pill, formatTime } from "../components/ui";
import { ConfigPicker, useChosenConfig } from "../components/ConfigPicker";
import { NeedsAttention } from "./Attention";
import { pullProgress } from "../sync";

type Property = Schemas["Property"];
type LogEntry = Schemas["SyncLogEntry"];

/** Manual sync, sync runs, the sync log and per-reservation timelines of one config. */
export function SyncActivity({ property }: { property: Property }) {
  const { configs, config, choose } = useChosenConfig(property.id);
  if (configs.isLoading) return <Loading what="configs" />;
  if (configs.error) return <ErrorBox error={configs.error} title="Cannot read the QloApps configs" />;
  if (!config) return <Empty>No QloApps config yet: nothing has synced.</Empty>;
  const tz = property.timezone;
  return (
    <div className="stack">
      {(configs.data ?? []).length > 1 && <ConfigPicker configs={configs.data ?? []} value={config} onChange={choose} />}
      <ManualSync configId={config.id} />
      <NeedsAttention configId={config.id} timeZone={tz} />
      <Runs configId={config.id} timeZone={tz} />
      <Timeline configId={config.id} property={property} />
      <Log configId={config.id} timeZone={tz} />
    </div>
  );
}

function ManualSync({ configId }: { configId: string }) {
  const { canWrite } = useRole();
  const queryClient = useQueryClient();
  const runs = useRuns(configId);
  // the runs there were when the sync was queued: the first new pull is the one it started
  const [before, setBefore] = useState<Set<string> | null>(null);
  const sync = useMutation({
    mutationFn: (syncType: "incremental" | "full") => {
      setBefore(new Set((runs.data ?? []).map((r) => r.id)));
      return unwrap(api.POST("/api/v1/qloapps/sync", { body: { configId, syncType } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["runs", configId] }),
  });
  const progress = sync.data && before ? pullProgress(runs.data ?? [], before) : null;
  return (
    <Card title="Manual sync">
      <p className="hint">
        Pulls QloApps orders into the PMS: <em>incremental</em> since the last watermark, <em>full</em> everything.
        Its progress shows here and in the runs below.
      </p>
      {canWrite ? (
        <div className="row">
          <button onClick={() => sync.mutate("incremental")} disabled={sync.isPending || runs.isLoading}>
            Sync now (incremental)
          </button>
          <button className="secondary" onClick={() => sync.mutate("full")} disabled={sync.isPending || runs.isLoading}>
            Full sync
          </button>
        </div>
      ) : (
        <p className="hint">Your token is read-only: manual sync is disabled.</p>
      )}
      {sync.data && (
        <div className="state ok" role="status">
          Queued {sync.data.syncType === "incremental" ? "an incremental" : "a full"} sync (message {sync.data.messageId}).
        </div>
      )}
      {progress && (
        <div className={`state ${progress.tone === "bad" ? "error" : progress.tone === "ok" ? "ok" : "loading"}`} data-testid="sync-progress" aria-live="polite">
          {progress.tone === "busy" && <span className="spinner" aria-hidden />} {progress.words}
        </div>
      )}
      {sync.error && <ErrorBox error={sync.error} title="Sync not queued" />}
    </Card>
  );
}

/** The config's newest 20 runs, polled every 3 s (the runs table and the manual sync's progress). */
function useRuns(configId: string) {
  return useQuery({
    queryKey: ["runs", configId],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/sync-state", {
          params: { path: { configId }, query: { limit: 20 } },
        }),
      ),
    refetchInterval: 3000,
  });
}

function Runs({ configId, timeZone }: { configId: string; timeZone: string }) {
  const runs = useRuns(configId);
  return (
    <Card title="Sync runs">
      {runs.isLoading ? (
        <Loading what="runs" />
      ) : runs.error ? (
        <ErrorBox error={runs.error} title="Cannot read the sync runs" />
      ) : (runs.data ?? []).length === 0 ? (
        <Empty>No sync run yet.</Empty>
      ) : (
        <div className="scroll">
          <table aria-label="Sync runs">
            <thead>
              <tr>
                <th>Started</th>
                <th>Type</th>
                <th>Status</th>
                <th>Processed</th>
                <th>Created</th>
                <th>Updated</th>
                <th>Skipped</th>
                <th>Failed</th>
                <th>Duration</th>
              </tr>
            </thead>
            <tbody>
              {(runs.data ?? []).map((run) => (
                <tr key={run.id}>
                  <td>{formatTime(run.startedAt, timeZone)}</td>
                  <td>
                    {run.syncType} <span className="muted">{run.operation}</span>
                  </td>
                  <td>
                    <Pill tone={run.status === "completed" ? "ok" : run.status === "failed" ? "bad" : "warn"}>
                      {run.status}
                    </Pill>
                    {run.errorMessage && <div className="bad-text">{run.errorMessage}</div>}
                  </td>
                  <td>{run.itemsProcessed}</td>
                  <td>{run.itemsCreated}</td>
                  <td>{run.itemsUpdated}</td>
                  <td>{run.itemsSkipped}</td>
                  <td>{run.itemsFailed}</td>
                  <td>{run.durationMs == null ? "—" : `${run.durationMs} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function LogTable({ items, timeZone, label }: { items: LogEntry[]; timeZone: string; label: string }) {
  return (
    <div className="scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            <th>When</th>
            <th>Direction</th>
            <th>Operation</th>
            <th>Entity</th>
            <th>QloApps id</th>
            <th>Outcome</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td>{formatTime(e.createdAt, timeZone)}</td>
              <td>{e.direction}</td>
              <td>{e.operation}</td>
              <td>
                {e.entityType} <span className="muted mono">{e.localEntityId?.slice(0, 8)}</span>
              </td>
              <td>{e.qloappsEntityId ?? "—"}</td>
              <td>
                <Pill tone={e.success ? "ok" : "bad"}>{e.outcome}</Pill>
              </td>
              <td className={e.success ? "" : "bad-text"}>{e.message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const PAGE = 25;

function Log({ configId, timeZone }: { configId: string; timeZone: string }) {
  const [direction, setDirection] = useState<"" | Schemas["SyncDirection"]>("");
  const [outcome, setOutcome] = useState<"" | "ok" | "failed">("");
  const [entityType, setEntityType] = useState("");
  // the beforeId of each page we went through, for "newer"
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const beforeId = cursors[cursors.length - 1];
  const log = useQuery({
    queryKey: ["sync-log", configId, direction, outcome, entityType, beforeId],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/sync-log", {
          params: {
            path: { configId },
            query: {
              limit: PAGE,
              beforeId,
              direction: direction || undefined,
              success: outcome === "" ? undefined : outcome === "ok",
              entityType: entityType || undefined,
            },
          },
        }),
      ),
    refetchInterval: cursors.length === 1 ? 5000 : false,
  });
  const reset = () => setCursors([undefined]);
  return (
    <Card title="Sync log">
      <div className="row filters">
        <label>
          Direction
          <select value={direction} onChange={(e) => (setDirection(e.target.value as typeof direction), reset())}>
            <option value="">any</option>
            <option value="outbound">outbound (push)</option>
            <option value="inbound">inbound (pull)</option>
          </select>
        </label>
        <label>
          Outcome
          <select value={outcome} onChange={(e) => (setOutcome(e.target.value as typeof outcome), reset())}>
            <option value="">any</option>
            <option value="ok">succeeded</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <label>
          Entity
          <select value={entityType} onChange={(e) => (setEntityType(e.target.value), reset())}>
            <option value="">any</option>
            <option value="reservation">reservation</option>
            <option value="availability">availability</option>
            <option value="rate">rate</option>
          </select>
        </label>
      </div>
      {log.isLoading ? (
        <Loading what="the sync log" />
      ) : log.error ? (
        <ErrorBox error={log.error} title="Cannot read the sync log" />
      ) : (log.data?.items ?? []).length === 0 ? (
        <Empty>Nothing logged{direction || outcome || entityType ? " for these filters" : " yet"}.</Empty>
      ) : (
        <LogTable items={log.data?.items ?? []} timeZone={timeZone} label="Sync log" />
      )}
      <div className="row pager">
        <button className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          className="secondary"
          disabled={log.data?.nextBeforeId == null}
          onClick={() => setCursors([...cursors, log.data?.nextBeforeId ?? undefined])}
        >
          Older
        </button>
      </div>
    </Card>
  );
}

/** Every push and pull that touched one reservation, with its QloApps order id. */
function Timeline({ configId, property }: { configId: string; property: Property }) {
  const reservations = useQuery({
    queryKey: ["reservations", property.id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/properties/{propertyId}/reservations", {
          params: { path: { propertyId: property.id }, query: { limit: 10 } },
        }),
      ),
    refetchInterval: 5000,
  });
  const [reservationId, setReservationId] = useState<string | null>(null);
  const entries = useQuery({
    queryKey: ["timeline", configId, reservationId],
    enabled: !!reservationId,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/sync-log", {
          params: { path: { configId }, query: { localEntityId: reservationId ?? undefined, limit: 200 } },
        }),
      ),
    refetchInterval: 2000,
  });
  const mapping = useQuery({
    queryKey: ["reservation-mapping", configId, reservationId],
    enabled: !!reservationId,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/reservation-mappings", {
          params: { path: { configId }, query: { localReservationId: reservationId ?? undefined } },
        }),
      ),
    refetchInterval: 2000,
  });
  const list = reservations.data?.items ?? [];
  const order = mapping.data?.[0];
  return (
    <Card title="Reservation timeline">
      {reservations.isLoading ? (
        <Loading what="reservations" />
      ) : reservations.error ? (
        <ErrorBox error={reservations.error} title="Cannot read the reservations" />
      ) : list.length === 0 ? (
        <Empty>No reservation yet.</Empty>
      ) : (
        <div className="row wrap" aria-label="Recent reservations">
          {list.map((r) => (
            <button
              key={r.id}
              className={r.id === reservationId ? "" : "secondary"}
              onClick={() => setReservationId(r.id)}
              title={r.id}
            >
              {r.checkIn} → {r.checkOut} · {r.status} · {r.id.slice(0, 8)}
            </button>
          ))}
        </div>
      )}
      {reservationId && (
        <div className="timeline" data-testid="timeline">
          <p>
            Reservation <span className="mono">{reservationId}</span>:{" "}
            {order ? (
              <>
                QloApps order <strong data-testid="qloapps-order">{order.qloappsBookingId}</strong>
              </>
            ) : (
              <span className="muted">not in QloApps yet</span>
            )}
          </p>
          {entries.isLoading ? (
            <Loading what="the timeline" />
          ) : entries.error ? (
            <ErrorBox error={entries.error} title="Cannot read the timeline" />
          ) : (entries.data?.items ?? []).length === 0 ? (
            <Empty>No push or pull touched it yet.</Empty>
          ) : (
            <LogTable items={entries.data?.items ?? []} timeZone={property.timezone} label="Timeline" />
          )}
        </div>
      )}
    </Card>
  );
}
