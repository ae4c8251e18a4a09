import { useState } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { useRole } from "../auth";
import { ApiKeyState, Card, Empty, ErrorBox, Loading, Pill, age, formatTime } from "../components/ui";
import { QueueDepthsCell, useQueueDepths, type QueueDepthsQuery } from "../components/QueueDepths";

type Property = Schemas["Property"];
type Status = Schemas["QloappsStatus"];
type TestResult = Schemas["TestConnectionResult"];

/** The settings page: active channel manager and switch, per-config health, test connection. */
export function ChannelManager({ property }: { property: Property }) {
  const status = useQuery({
    queryKey: ["channel-managers", property.id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/settings/channel-managers", { params: { query: { propertyId: property.id } } })),
    refetchInterval: 5000,
  });
  const dlq = useQuery({
    queryKey: ["dlq", "count"],
    queryFn: () => unwrap(api.GET("/api/v1/dlq", { params: { query: { limit: 1000 } } })),
    refetchInterval: 10000,
    retry: false,
  });
  const queues = useQueueDepths();

  if (status.isLoading) return <Loading what="the channel manager" />;
  if (status.error) return <ErrorBox error={status.error} title="Cannot read the channel-manager status" />;
  const data = status.data;
  if (!data) return null;
  return (
    <div className="stack">
      <SwitchCard property={property} active={data.activeChannelManager} available={data.availableChannelManagers} />
      {data.qloapps.length === 0 ? (
        <Empty>
          No QloApps config for {property.name} yet. Add one under <Link to="/configs">Configs &amp; mappings</Link>.
        </Empty>
      ) : (
        data.qloapps.map((config) => (
          <ConfigHealth key={config.configId} config={config} timeZone={property.timezone} dlq={dlq} queues={queues} />
        ))
      )}
    </div>
  );
}

function SwitchCard({
  property,
  active,
  available,
}: {
  property: Property;
  active: Schemas["ChannelManager"];
  available: Schemas["ChannelManager"][];
}) {
  const { canWrite } = useRole();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<Schemas["ChannelManager"] | null>(null);
  const switching = useMutation({
    mutationFn: (channelManager: Schemas["ChannelManager"]) =>
      unwrap(
        api.POST("/api/v1/settings/channel-managers/switch", {
          body: { propertyId: property.id, channelManager },
        }),
      ),
    onSuccess: (data) => {
      queryClient.setQueryData(["channel-managers", property.id], data);
      setTarget(null);
    },
  });
  return (
    <Card title="Channel manager">
      <p className="big">
        Active: <strong data-testid="active-channel-manager">{label(active)}</strong>
      </p>
      <p className="hint">
        With <em>QloApps</em>, every reservation, availability and rate change is queued for QloApps; with{" "}
        <em>none</em>, nothing is sent.
      </p>
      {canWrite ? (
        <div className="row">
          {available
            .filter((cm) => cm !== active)
            .map((cm) => (
              <button key={cm} onClick={() => setTarget(cm)} disabled={switching.isPending}>
                Switch to {label(cm)}
              </button>
            ))}
        </div>
      ) : (
        <p className="hint">Your token is read-only: switching is disabled.</p>
      )}
      {target && (
        <div className="confirm" role="dialog" aria-label="Confirm switch">
          <p>
            Switch {property.name} to <strong>{label(target)}</strong>?
            {target === "none" && " PMS changes will no longer reach QloApps."}
          </p>
          <button onClick={() => switching.mutate(target)} disabled={switching.isPending}>
            {switching.isPending ? "Switching…" : "Confirm switch"}
          </button>
          <button className="secondary" onClick={() => setTarget(null)}>
            Cancel
          </button>
        </div>
      )}
      {switching.error && <ErrorBox error={switching.error} title="Switch failed" />}
    </Card>
  );
}

function label(cm: Schemas["ChannelManager"]): string {
  return cm === "qloapps" ? "QloApps" : "none";
}

function ConfigHealth({
  config,
  timeZone,
  dlq,
  queues,
}: {
  config: Status;
  timeZone: string;
  dlq: { data?: Schemas["DeadLetterList"]; error: unknown };
  queues: QueueDepthsQuery;
}) {
  const { canWrite } = useRole();
  const test = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/settings/channel-managers/test", { body: { configId: config.configId } })),
  });
  const dlqCount = dlq.data?.messages.filter((m) => m.configId === config.configId).length;
  return (
    <Card
      title={
        <>
          {config.name} <span className="muted">· hotel {config.qloappsHotelId}</span>{" "}
          {config.syncEnabled ? <Pill tone="ok">sync on</Pill> : <Pill tone="muted">sync off</Pill>}
        </>
      }
      actions={
        canWrite && (
          <button onClick={() => test.mutate()} disabled={test.isPending}>
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
        )
      }
    >
      <div className="muted mono">{config.baseUrl}</div>
      <dl className="health" aria-label={`Health of ${config.name}`}>
        <div>
          <dt>Circuit</dt>
          <dd>
            <Pill tone={config.circuit === "closed" ? "ok" : config.circuit === "open" ? "bad" : "warn"}>
              {config.circuit === "halfOpen" ? "half-open" : config.circuit}
            </Pill>
            {config.circuit === "open" && config.circuitOpenUntil && (
              <span className="muted"> until {formatTime(config.circuitOpenUntil, timeZone)}</span>
            )}
            {config.consecutiveFailures > 0 && (
              <span className="muted"> · {config.consecutiveFailures} failures in a row</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Rate limit</dt>
          <dd data-testid="rate-limit">
            {Math.max(0, Math.floor(config.rateLimitAvailable))} calls may go now
            <span className="muted">
              {" "}· at most {config.rateLimitCapacity} per {Math.round(config.rateLimitPeriodMs / 1000)} s
            </span>
          </dd>
        </div>
        <div>
          <dt>Outbox backlog</dt>
          <dd data-testid="outbox-backlog">
            {config.pendingMessages}
            {config.oldestPendingAt && <span className="muted"> · oldest {age(config.oldestPendingAt)}</span>}
          </dd>
        </div>
        <QueueDepthsCell queues={queues} />
        <div>
          <dt>Dead letters</dt>
          <dd data-testid="dlq-depth">
            {queues.error ? (
              <span className="muted">unavailable</span>
            ) : !queues.data ? (
              "…"
            ) : (
              <>
                <Link to="/dead-letters">{queues.data.deadLetter.messages}</Link>
                <span className="muted"> in the queue</span>
                {dlqCount !== undefined && !dlq.error && <span className="muted"> · {dlqCount} of this config</span>}
              </>
            )}
          </dd>
        </div>
        <LastRun label="Last pull" run={config.lastPull} timeZone={timeZone} />
        <LastRun label="Last push" run={config.lastPush} timeZone={timeZone} />
        <LastRun label="Last reconcile" run={config.lastReconcile} timeZone={timeZone} />
        <div>
          <dt>Pull failures</dt>
          <dd data-testid="pull-failures">
            {config.pullFailures > 0 ? <Pill tone="bad">{config.pullFailures}</Pill> : 0}
          </dd>
        </div>
        <div>
          <dt>API key</dt>
          <dd>
            <ApiKeyState set={config.apiKeySet} last4={config.apiKeyLast4} />
          </dd>
        </div>
      </dl>
      {test.error && <ErrorBox error={test.error} title="The test could not run" />}
      {test.data && <TestOutcome result={test.data} />}
    </Card>
  );
}

export function TestOutcome({ result }: { result: TestResult }) {
  if (result.ok) {
    return (
      <div className="state ok" role="status" data-testid="test-result">
        <strong>Connected ✓</strong>
        <div>
          QloApps {result.qloappsVersion ?? "(version unknown)"} · {result.latencyMs} ms
          {result.missingPermissions.length > 0 && (
            <> · missing permissions: {result.missingPermissions.join(", ")}</>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="state error" role="alert" data-testid="test-result">
      <strong>Not connected: {result.failure?.kind.replace(/_/g, " ") ?? "failed"}</strong>
      <div>{result.failure?.message}</div>
      <div className="muted">
        {result.latencyMs} ms
        {result.missingPermissions.length > 0 && <> · missing permissions: {result.missingPermissions.join(", ")}</>}
      </div>
    </div>
  );
}

/** The newest run of one kind: an old or failed pull means pulls have stopped. */
function LastRun({
  label,
  run,
  timeZone,
}: {
  label: string;
  run?: Schemas["SyncState"] | null;
  timeZone: string;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {run ? (
          <>
            <Pill tone={run.status === "completed" ? "ok" : run.status === "failed" ? "bad" : "warn"}>
              {run.status}
            </Pill>{" "}
            {run.syncType} · {formatTime(run.completedAt ?? run.startedAt, timeZone)}
            {run.errorMessage && <div className="bad-text">{run.errorMessage}</div>}
          </>
        ) : (
          <span className="muted">never</span>
        )}
      </dd>
    </div>
  );
}
