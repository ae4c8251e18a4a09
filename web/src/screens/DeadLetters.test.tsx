import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SessionProvider } from "../auth";
import { tokenStore } from "../api/client";
import { DeadLetters } from "./DeadLetters";

afterEach(() => vi.unstubAllGlobals());

const letter = (i: number) => ({
  id: `m-${i}`,
  eventType: "reservation.create",
  configId: "c-1",
  reason: "permanent",
  error: "room type is not mapped",
  attempts: 1,
  deferrals: 0,
  originalQueue: "qloapps.outbound",
  firstFailureAt: "2026-12-01T10:00:00Z",
  replayCount: 0,
  sizeBytes: 10,
  bodyPreview: "{}",
});

/** The api as the screen sees it: 30 dead letters; records the selection bodies it is sent. */
function stubApi() {
  const sent: { path: string; body: unknown }[] = [];
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/v1/session") return json({ role: "admin", canWrite: true });
      if (path === "/api/v1/qloapps/configs") return json([{ id: "c-1", name: "Lakeside", syncEnabled: true, qloappsHotelId: 1 }]);
      if (path === "/api/v1/dlq") return json({ queue: "qloapps.dlq", total: 30, messages: Array.from({ length: 30 }, (_, i) => letter(i)) });
      const body = await request.json();
      sent.push({ path, body });
      return json({ queue: "qloapps.dlq", total: 30, matching: (body as { messageIds: string[] }).messageIds.length, replayable: 2 });
    }),
  );
  return sent;
}

describe("the dead-letter screen", () => {
  it("selects a page, pages on, and asks to count exactly the selection", async () => {
    const sent = stubApi();
    tokenStore.set("token-0123456789abcdef");
    render(
      <QueryClientProvider client={new QueryClient()}>
        <SessionProvider>
          <DeadLetters timeZone="Europe/Paris" propertyId="p-1" />
        </SessionProvider>
      </QueryClientProvider>,
    );
    const table = await screen.findByRole("table", { name: "Dead letters" });
    expect(within(table).getAllByRole("row")).toHaveLength(26); // the header and a page of 25
    expect(screen.getByTestId("dlq-page")).toHaveTextContent("1–25 of 30");
    expect(await screen.findByRole("option", { name: "Lakeside" })).toHaveValue("c-1");
    await userEvent.click(await screen.findByLabelText("Select all on this page"));
    expect(screen.getByTestId("selected-count")).toHaveTextContent("25 messages selected");
    await userEvent.click(screen.getByRole("button", { name: "Next page" }));
    expect(screen.getByTestId("dlq-page")).toHaveTextContent("26–30 of 30");
    expect(screen.getByLabelText("Select all on this page")).not.toBeChecked();
    await userEvent.click(screen.getByLabelText("Select m-27"));
    expect(screen.getByTestId("selected-count")).toHaveTextContent("26 messages selected");
    await userEvent.click(screen.getByRole("button", { name: "Replay selected…" }));
    expect(await screen.findByRole("button", { name: "Yes, replay 26" })).toBeInTheDocument();
    expect(screen.getByTestId("preview")).toHaveTextContent("Replay the 26 selected messages: 26 messages of 30 in the queue.");
    const ids = (sent[0].body as { messageIds: string[] }).messageIds;
    expect(sent[0].path).toBe("/api/v1/dlq/preview");
    expect(ids).toHaveLength(26);
    expect(ids).toContain("m-27");
    expect(ids).not.toContain("m-26");
  });
});
