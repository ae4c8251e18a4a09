import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { DlqConfirm, DlqResult, type DlqOutcome } from "./DlqConfirm";

afterEach(() => vi.unstubAllGlobals());

type Call = { path: string; body: unknown };

/** A stand-in for the api's DLQ routes that records what the console sent. */
function dlqApi(preview: object, replay: object) {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      calls.push({ path, body: await request.json() });
      const body = path.endsWith("/preview") ? preview : replay;
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    }),
  );
  return calls;
}

function renderConfirm(onDone: (o: DlqOutcome) => void) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <DlqConfirm
        pending={{ action: "replay", body: { messageIds: ["a", "b", "c"] }, what: "the 3 selected messages" }}
        onDone={onDone}
        onCancel={() => {}}
      />
    </QueryClientProvider>,
  );
}

describe("the replay confirmation", () => {
  it("counts the selection in the queue first and replays only on yes", async () => {
    const report = { replayed: 2, skipped: 5, failed: 1, failures: [{ id: "c", error: "no original queue" }] };
    const calls = dlqApi({ queue: "qloapps.dlq", total: 8, matching: 3, replayable: 2 }, report);
    const done = vi.fn();
    renderConfirm(done);
    const preview = screen.getByTestId("preview");
    expect(preview).toHaveTextContent("counting the messages");
    await screen.findByRole("button", { name: "Yes, replay 3" });
    expect(preview).toHaveTextContent("Replay the 3 selected messages: 3 messages of 8 in the queue.");
    expect(preview).toHaveTextContent("1 message records no work queue");
    expect(calls).toEqual([{ path: "/api/v1/dlq/preview", body: { messageIds: ["a", "b", "c"] } }]);
    await userEvent.click(screen.getByRole("button", { name: "Yes, replay 3" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalledWith({ action: "replay", report }));
    expect(calls[1]).toEqual({ path: "/api/v1/dlq/replay", body: { messageIds: ["a", "b", "c"] } });
  });

  it("offers nothing to run when the selection is gone from the queue", async () => {
    dlqApi({ queue: "qloapps.dlq", total: 2, matching: 0, replayable: 0 }, {});
    renderConfirm(() => {});
    expect(await screen.findByText(/Nothing to replay/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Yes/ })).toBeNull();
  });
});

describe("the result of a replay", () => {
  it("says how many were replayed and why each failure failed", () => {
    render(
      <DlqResult
        outcome={{ action: "replay", report: { replayed: 4, skipped: 0, failed: 2, failures: [{ id: "m-9", error: "original queue unknown" }] } }}
      />,
    );
    const result = screen.getByTestId("dlq-report");
    expect(result).toHaveTextContent("Replayed 4, failed 2.");
    expect(result).toHaveTextContent("m-9: original queue unknown");
    expect(result).toHaveTextContent("and 1 more");
  });
});
