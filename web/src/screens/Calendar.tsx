import { useState } from "react";
import { useMutation, useQueries, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";
import { useRole } from "../auth";
import { Card, Empty, ErrorBox, Loading, Pill, formatTime } from "../components/ui";
import { ConfigPicker, useChosenConfig } from "../components/ConfigPicker";
import { cellsFor, monthIn, monthOf, nightsOf } from "../calendar";

type Property = Schemas["Property"];
type Report = Schemas["ReconcileReport"];

function shift(month: string, by: number): string {
  const [year, m] = month.split("-").map(Number);
  return monthOf(new Date(Date.UTC(year, m - 1 + by, 1)));
}

/** Room type × night for a month: the PMS value, what QloApps has (from reconcile), drift. */
export function Calendar({ property }: { property: Property }) {
  const { canWrite } = useRole();
  const [month, setMonth] = useState(() => monthIn(new Date(), property.timezone));
  const nights = nightsOf(month);
  const from = nights[0] ?? "";
  const to = nights[nights.length - 1] ?? "";
  const { configs, config, choose } = useChosenConfig(property.id);
  const roomTypes = useQuery({
    queryKey: ["room-types", property.id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/properties/{propertyId}/room-types", { params: { path: { propertyId: property.id } } })),
  });
  const types = roomTypes.data ?? [];
  const availabilityQueries = useQueries({
    queries: types.map((rt) => ({
      queryKey: ["availability", rt.id, from, to],
      enabled: !!from,
      queryFn: async () =>
        (
          await unwrap(
            api.GET("/api/v1/room-types/{roomTypeId}/availability", {
              params: { path: { roomTypeId: rt.id }, query: { dateFrom: from, dateTo: to } },
            }),
          )
        ).nights,
    })),
  });
  const rateQueries = useQueries({
    queries: types.map((rt) => ({
      queryKey: ["rates", rt.id, from, to],
      enabled: !!from,
      queryFn: async () =>
        (
          await unwrap(
            api.GET("/api/v1/room-types/{roomTypeId}/rates", {
              params: { path: { roomTypeId: rt.id }, query: { dateFrom: from, dateTo: to } },
            }),
          )
        ).nights,
    })),
  });
  const pms = [...availabilityQueries, ...rateQueries];
  const [report, setReport] = useState<Report | null>(null);
  const reconcile = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const answer = await unwrap(
        api.POST("/api/v1/qloapps/configs/{configId}/reconcile", {
          params: { path: { configId: config?.id ?? "" } },
          body: { dryRun, from, to, scope: "inventory" },
        }),
      );
      // a month is short enough to be answered in the request (200), never queued (202)
      if ("jobId" in answer) throw new Error(`the reconciliation was queued as job ${answer.jobId}`);
      return answer;
    },
    onSuccess: (data) => {
      setReport(data);
      pms.forEach((q) => q.refetch());
    },
  });

  if (configs.isLoading || roomTypes.isLoading) return <Loading what="the calendar" />;
  if (configs.error) return <ErrorBox error={configs.error} title="Cannot read the QloApps configs" />;
  if (roomTypes.error) return <ErrorBox error={roomTypes.error} title="Cannot read the room types" />;
  if (types.length === 0) return <Empty>The property has no room types yet.</Empty>;
  const pmsError = pms.find((q) => q.error)?.error;
  const reportFor = (id: string) =>
    report && report.from === from && report.configId === config?.id ? report.roomTypes.find((r) => r.roomTypeId === id) : undefined;

  return (
    <div className="stack">
      <Card
        title="Availability and rates"
        actions={
          <div className="row">
            <button className="secondary" aria-label="Previous month" onClick={() => (setMonth(shift(month, -1)), setReport(null))}>
              ‹
            </button>
            <input
              type="month"
              aria-label="Month"
              value={month}
              onChange={(e) => {
                if (/^\d{4}-\d{2}$/.test(e.target.value)) {
                  setMonth(e.target.value);
                  setReport(null);
                }
              }}
            />
            <button className="secondary" aria-label="Next month" onClick={() => (setMonth(shift(month, 1)), setReport(null))}>
              ›
            </button>
          </div>
        }
      >
        <p className="hint">
          Each cell: rooms the PMS allows / its nightly rate, for the property&apos;s nights (dates in {property.timezone}).
          After a reconcile, nights where QloApps differs are highlighted with QloApps&apos; values.
        </p>
        {!canWrite ? (
          <p className="hint">Your token is read-only: reconcile (a POST that calls QloApps) is disabled.</p>
        ) : config ? (
          <div className="row">
            <ConfigPicker
              configs={configs.data ?? []}
              value={config}
              onChange={(id) => {
                choose(id);
                setReport(null);
              }}
            />
            <button onClick={() => reconcile.mutate(true)} disabled={reconcile.isPending}>
              {reconcile.isPending ? "Comparing with QloApps…" : "Reconcile (dry run)"}
            </button>
            {report && report.dryRun && report.availabilityDriftNights + report.rateDriftNights > 0 && (
              <button className="danger" onClick={() => reconcile.mutate(false)} disabled={reconcile.isPending}>
                Fix the drift in QloApps
              </button>
            )}
          </div>
        ) : (
          <Empty>No QloApps config: nothing to compare with.</Empty>
        )}
        {reconcile.error && <ErrorBox error={reconcile.error} title="Reconcile failed" />}
        {report && (
          <div className={`state ${report.availabilityDriftNights + report.rateDriftNights > 0 ? "error" : "ok"}`} role="status" data-testid="reconcile-report">
            {report.dryRun ? "Dry run" : "Fixed"} · checked {formatTime(report.checkedAt, property.timezone)}:{" "}
            <strong>{report.availabilityDriftNights}</strong> nights of availability drift,{" "}
            <strong>{report.rateDriftNights}</strong> nights of rate drift
            {report.fixes.length > 0 && <> · fixed {report.fixes.length} room type(s){report.fixes.some((f) => f.error) && <>, with errors: {report.fixes.map((f) => f.error).filter(Boolean).join("; ")}</>}</>}
            {report.warnings.length > 0 && <div>{report.warnings.join(" · ")}</div>}
          </div>
        )}
        {pmsError ? <ErrorBox error={pmsError} title="Cannot read the PMS availability or rates" /> : null}
        <div className="scroll">
          <table className="calendar" aria-label="Calendar">
            <thead>
              <tr>
                <th>Room type</th>
                {nights.map((n) => (
                  <th key={n}>{n.slice(8)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {types.map((rt, i) => {
                const availability = availabilityQueries[i]?.data ?? [];
                const rates = rateQueries[i]?.data ?? [];
                const cells = cellsFor(nights, availability, rates, reportFor(rt.id));
                return (
                  <tr key={rt.id}>
                    <th scope="row">{rt.code}</th>
                    {nights.map((n) => {
                      const c = cells.get(n);
                      return (
                        <td key={n} className={c?.drift ? "drift" : ""} data-night={`${rt.code} ${n}`} title={`${rt.code} ${n}`}>
                          <div>{c?.pmsAvailable ?? "·"}</div>
                          <div className="muted">{c?.pmsRate ? Math.round(Number(c.pmsRate)) : "·"}</div>
                          {c?.drift && (
                            <div className="qlo">
                              Q: {c.qloAvailable ?? "="}/{c.qloRate ? Math.round(Number(c.qloRate)) : "="}
                            </div>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="hint">
          <Pill tone="bad">drift</Pill> QloApps differs: “Q: rooms/rate” (= where that part matches).
        </p>
      </Card>
    </div>
  );
}
