import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { BarChart } from "../components/BarChart";
import { Card, Empty, ErrorBox, Loading } from "../components/ui";

type Property = Schemas["Property"];

/** Charts of the last hours from the api's own sync log and runs. */
export function Activity({ property }: { property: Property }) {
  const [hours, setHours] = useState(6);
  const configs = useQuery({
    queryKey: ["configs", property.id],
    queryFn: () => unwrap(api.GET("/api/v1/qloapps/configs", { params: { query: { propertyId: property.id } } })),
  });
  const config = configs.data?.[0];
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
  if (configs.error) return <ErrorBox error={configs.error} />;
  if (!config) return <Empty>No QloApps config yet: no activity.</Empty>;
  const time = new Intl.DateTimeFormat("en-GB", { timeZone: property.timezone, hour: "2-digit", minute: "2-digit" });
  const timeLabel = (at: string) => time.format(new Date(at));
  const buckets = activity.data?.buckets ?? [];
  const per = activity.data ? (activity.data.bucketSeconds === 60 ? "per min" : `per ${activity.data.bucketSeconds / 60} min`) : "";
  return (
    <Card
      title={<>Activity of {config.name}</>}
      actions={
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
      }
    >
      {activity.isLoading ? (
        <Loading what="activity" />
      ) : activity.error ? (
        <ErrorBox error={activity.error} />
      ) : (
        <div className="charts">
          <BarChart title="Pushes to QloApps" unit={per} points={buckets.map((b) => ({ at: b.at, value: b.pushes }))} timeLabel={timeLabel} />
          <BarChart title="Pulls from QloApps" unit={per} points={buckets.map((b) => ({ at: b.at, value: b.pulls }))} timeLabel={timeLabel} tone="ok" />
          <BarChart title="Failures" unit={per} points={buckets.map((b) => ({ at: b.at, value: b.failures }))} timeLabel={timeLabel} tone="bad" />
          <BarChart title="p95 push duration" unit="ms" points={buckets.map((b) => ({ at: b.at, value: b.p95PushMs ?? null }))} timeLabel={timeLabel} />
        </div>
      )}
      <p className="hint">
        From qlosync&apos;s sync log and runs in PostgreSQL; times in {property.timezone}. Queue depths are shown live on the
        channel manager (their history is in Prometheus, not here).
      </p>
    </Card>
  );
}
