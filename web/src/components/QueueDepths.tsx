import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";

export type QueueDepthsQuery = { data?: Schemas["QueueDepths"]; error: unknown; isLoading: boolean };

/** The work queues' and the DLQ's depths, read live from RabbitMQ by the api every 5 s. */
export function useQueueDepths(): QueueDepthsQuery {
  return useQuery({
    queryKey: ["queues"],
    queryFn: () => unwrap(api.GET("/api/v1/queues")),
    refetchInterval: 5000,
    retry: false,
  });
}

/** One cell of the health strip: outbound and inbound work-queue depths (shared by every config). */
export function QueueDepthsCell({ queues }: { queues: QueueDepthsQuery }) {
  const { data, error } = queues;
  const message = error instanceof Error ? error.message : "";
  return (
    <div>
      <dt>Queue depths</dt>
      <dd data-testid="queue-depths" title={data ? `${data.outbound.queue}, ${data.inbound.queue}` : undefined}>
        {error ? (
          <span className="muted" title={message}>
            unavailable{message ? `: ${message}` : ""}
          </span>
        ) : !data ? (
          "…"
        ) : (
          <>
            outbound {data.outbound.messages} · inbound {data.inbound.messages}
            <span className="muted"> · live, all configs</span>
          </>
        )}
      </dd>
    </div>
  );
}
