import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { BarChart } from "../components/BarChart";
import { ConfigPicker, useChosenConfig } from "../components/ConfigPicker";
import { Card, Empty, ErrorBox, Loading } from "../components/ui";

type Property = Schemas["Property"];
type Bucket = Schemas["ActivityBucket"];

/** Charts of the last hours from the api's own sync log, runs and queue-depth samples. */
export function Activity({ property }: { property: Property }) {
  const [hours, setHours] = useState(6);
  const { configs, config, choose } = useChosenConfig(property.id);
  const activity = useQuery({
    queryKey: ["activity", config?.id, hours],
    enabled: !!config,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/activity", {
          params: { path: { configId: config?.id ?? "" }, query: { hours } },
        }),
      ),
    refetchInterval: 15000,
  });
  if (configs.isLoading) return <Loading what="configs" />;
  if (configs.error) return <ErrorBox error={configs.error} title="Cannot read the QloApps configs" />;
  if (!config) return <Empty>No QloApps config yet: no activity. Add one under Configs &amp; mappings.</Empty>;
  const time = new Intl.DateTimeFormat("en-GB", {
    timeZone: property.timezone,
    ...(hours > 24 ? { weekday: "short" } : {}),
    hour: "2-digit",
    minute: "2-digit",
  });
  const timeLabel = (at: string) => time.format(new Date(at));
  const buckets = activity.data?.buckets ?? [];
  const per = activity.data ? perBucket(activity.data.bucketSeconds) : "";
  const series = (pick: (b: Bucket) => number | null | undefined) => buckets.map((b) => ({ at: b.at, value: pick(b) ?? null }));
  return (
    <Card
      title={<>Activity of {config.name}</>}
      actions={
        <div className="row">
          <ConfigPicker configs={configs.data ?? []} value={config} onChange={choose} />
          <label className="row">
            Period
            <select aria-label="Period" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              {[1, 6, 24, 48].map((h) => (
                <option key={h} value={h}>
                  last {h} h
                </option>
              ))}
            </select>
          </label>
        </div>
      }
    >
      {activity.isLoading ? (
        <Loading what="activity" />
      ) : activity.error ? (
        <ErrorBox error={activity.error} title="Cannot read the activity" />
      ) : (
        <>
          <div className="charts">
            <BarChart title="Pushes to QloApps" unit={per} points={series((b) => b.pushes)} timeLabel={timeLabel} />
            <BarChart title="Pulls from QloApps" unit={per} points={series((b) => b.pulls)} timeLabel={timeLabel} tone="ok" />
            <BarChart title="Failures" unit={per} points={series((b) => b.failures)} timeLabel={timeLabel} tone="bad" />
            <BarChart title="p95 push duration" unit="ms" points={series((b) => b.p95PushMs)} timeLabel={timeLabel} />
          </div>
          <h3 className="subhead">Queue depths · shared by every config, the largest reading of each minute</h3>
          <div className="charts">
            {(
              [
                ["Outbound queue depth", (b: Bucket) => b.outboundQueueDepth, "accent"],
                ["Inbound queue depth", (b: Bucket) => b.inboundQueueDepth, "ok"],
                ["Dead-letter queue depth", (b: Bucket) => b.dlqDepth, "bad"],
              ] as const
            ).map(([title, pick, tone]) => (
              <BarChart
                key={title}
                title={title}
                unit="messages"
                points={series(pick)}
                timeLabel={timeLabel}
                tone={tone}
                zeroIsData
                empty="No samples in this period (the api reads RabbitMQ once a minute while it runs)."
              />
            ))}
          </div>
        </>
      )}
      <p className="hint">
        From qlosync&apos;s sync log, runs and queue-depth samples in PostgreSQL (kept 48 h); times in {property.timezone}.
        A depth bar is the largest sample of its bucket.
      </p>
    </Card>
  );
}

function perBucket(seconds: number): string {
  return seconds === 60 ? "per min" : `per ${seconds / 60} min`;
}
