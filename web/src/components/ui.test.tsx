import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { ErrorBox, age, formatTime } from "./ui";
import { ApiFailure } from "../api/client";
import { TestOutcome } from "../screens/ChannelManager";
import { matchesFilter } from "../dlq";

describe("formatting", () => {
  it("shows times in the property's time zone", () => {
    expect(formatTime("2026-12-01T10:00:00Z", "Europe/Paris")).toContain("11:00:00");
    expect(formatTime("2026-12-01T10:00:00Z", "America/New_York")).toContain("05:00:00");
    expect(formatTime(null, "UTC")).toBe("—");
  });

  it("says how old something is", () => {
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(age("2026-12-01T09:59:30Z", now)).toBe("30 s");
    expect(age("2026-12-01T09:50:00Z", now)).toBe("10 min");
    expect(age("2026-11-29T10:00:00Z", now)).toBe("2 d");
  });
});

describe("the connection test result", () => {
  const base = { configId: "c", latencyMs: 42, missingPermissions: [], resources: [], testedAt: "2026-12-01T10:00:00Z" };

  it("shows Connected ✓ with the version and latency", () => {
    render(<TestOutcome result={{ ...base, ok: true, qloappsVersion: "1.6.1" }} />);
    expect(screen.getByRole("status")).toHaveTextContent("Connected ✓");
    expect(screen.getByRole("status")).toHaveTextContent("QloApps 1.6.1 · 42 ms");
  });

  it("puts a failure in words with the missing permissions", () => {
    render(
      <TestOutcome
        result={{
          ...base,
          ok: false,
          missingPermissions: ["hotel_room_type"],
          failure: { kind: "missing_permissions", message: "the key may not read hotel_room_type" },
        }}
      />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Not connected: missing permissions");
    expect(alert).toHaveTextContent("the key may not read hotel_room_type");
    expect(alert).toHaveTextContent("missing permissions: hotel_room_type");
    expect(alert).not.toHaveTextContent("Connected ✓");
  });

  it("shows an api failure's message", () => {
    render(<ErrorBox error={new ApiFailure("RabbitMQ is unavailable, try again", 503, "unavailable")} />);
    expect(screen.getByRole("alert")).toHaveTextContent("RabbitMQ is unavailable, try again");
  });
});

describe("the dead-letter filter preview", () => {
  const message = {
    id: "m-1", eventType: "reservation.create", configId: "ABC", reason: "permanent",
    attempts: 1, deferrals: 0, replayCount: 0, sizeBytes: 10, bodyPreview: "{}",
  };
  it("matches like the api: every named field, config ids case-insensitively", () => {
    expect(matchesFilter(message, {})).toBe(true);
    expect(matchesFilter(message, { eventType: "reservation.create", configId: "abc" })).toBe(true);
    expect(matchesFilter(message, { reason: "retries_exhausted" })).toBe(false);
    expect(matchesFilter(message, { eventType: "reservation.create", reason: "expired" })).toBe(false);
  });
});
