import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { Card, Empty, ErrorBox, Loading, formatTime } from "../components/ui";

/**
 * What differs between the PMS and QloApps until someone acts: reservations QloApps refused to
 * take (out of sync) and QloApps orders a pull could not apply (pull failures), with the reason.
 */
export function NeedsAttention({ configId, timeZone }: { configId: string; timeZone: string }) {
  const outOfSync = useQuery({
    queryKey: ["out-of-sync", configId],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/qloapps/configs/{configId}/out-of-sync", {
          params: { path: { configId }, query: { limit: 50 } },
        }),
      ),
    refetchInterval: 5000,
  });
  const pullFailures = useQuery({
    queryKey: ["pull-failures", configId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/qloapps/configs/{configId}/pull-failures", { params: { path: { configId } } })),
    refetchInterval: 5000,
  });
  if (outOfSync.isLoading || pullFailures.isLoading) return <Loading what="what needs attention" />;
  if (outOfSync.error) return <ErrorBox error={outOfSync.error} title="Cannot read the out-of-sync reservations" />;
  if (pullFailures.error) return <ErrorBox error={pullFailures.error} title="Cannot read the pull failures" />;
  const refused = outOfSync.data?.items ?? [];
  const failed = (pullFailures.data ?? []).filter((f) => !f.discardedAt);
  return (
    <Card title="Needs attention">
      {refused.length === 0 && failed.length === 0 ? (
        <Empty>Nothing: every push went through and every pulled order applied.</Empty>
      ) : (
        <div className="scroll">
          <table aria-label="Needs attention">
            <thead>
              <tr>
                <th>What</th>
                <th>QloApps order</th>
                <th>Reason</th>
                <th>Attempts</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {refused.map((r) => (
                <tr key={`push-${r.reservationId}`}>
                  <td>
                    out of sync: reservation <span className="mono">{r.reservationId}</span>
                  </td>
                  <td>{r.qloappsOrderId ?? "—"}</td>
                  <td className="bad-text">{r.reason}</td>
                  <td>{r.attempts}</td>
                  <td>{formatTime(r.firstFailedAt, timeZone)}</td>
                </tr>
              ))}
              {failed.map((f) => (
                <tr key={`pull-${f.qloappsOrderId}`}>
                  <td>pull failure</td>
                  <td>{f.qloappsOrderId}</td>
                  <td className="bad-text">{f.reason}</td>
                  <td>{f.attempts}</td>
                  <td>{formatTime(f.firstSeenAt, timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
