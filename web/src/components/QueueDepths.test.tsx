import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { QueueDepthsCell } from "./QueueDepths";
import { ApiFailure } from "../api/client";

const depth = (queue: string, messages: number) => ({ queue, messages });

describe("the queue-depth cell", () => {
  it("shows both work queues' live depths", () => {
    const data = {
      outbound: depth("qloapps.outbound", 12),
      inbound: depth("qloapps.inbound", 0),
      deadLetter: depth("qloapps.dlq", 3),
      readAt: "2026-12-01T10:00:00Z",
    };
    render(
      <dl>
        <QueueDepthsCell queues={{ data, error: null, isLoading: false }} />
      </dl>,
    );
    expect(screen.getByTestId("queue-depths")).toHaveTextContent("outbound 12 · inbound 0 · live, all configs");
  });

  it("says why when RabbitMQ cannot be read, and waits while loading", () => {
    const error = new ApiFailure("RabbitMQ is unavailable, try again", 503, "unavailable");
    const { rerender } = render(
      <dl>
        <QueueDepthsCell queues={{ error, isLoading: false }} />
      </dl>,
    );
    expect(screen.getByTestId("queue-depths")).toHaveTextContent("unavailable: RabbitMQ is unavailable, try again");
    rerender(
      <dl>
        <QueueDepthsCell queues={{ error: null, isLoading: true }} />
      </dl>,
    );
    expect(screen.getByTestId("queue-depths")).toHaveTextContent("…");
  });
});
