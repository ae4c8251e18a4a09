import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { BarChart } from "./BarChart";

const label = (at: string) => at.slice(11, 16);

describe("the bar chart", () => {
  it("draws one bar per non-empty bucket, scaled to the peak", () => {
    const { container } = render(
      <BarChart
        title="Pushes"
        unit="per min"
        timeLabel={label}
        points={[
          { at: "2026-12-01T10:00:00Z", value: 0 },
          { at: "2026-12-01T10:01:00Z", value: 4 },
          { at: "2026-12-01T10:02:00Z", value: 2 },
        ]}
      />,
    );
    expect(screen.getByRole("img", { name: "Pushes: peak 4 per min" })).toBeInTheDocument();
    const bars = container.querySelectorAll("rect");
    expect(bars).toHaveLength(2);
    expect(Number(bars[0].getAttribute("height"))).toBeGreaterThan(Number(bars[1].getAttribute("height")));
    expect(bars[1].textContent).toBe("10:02: 2 per min");
    expect(screen.getByText("10:00")).toBeInTheDocument();
  });

  it("says so when there is nothing to draw", () => {
    render(<BarChart title="Failures" unit="" timeLabel={label} points={[{ at: "2026-12-01T10:00:00Z", value: null }]} />);
    expect(screen.getByText("Nothing in this period.")).toBeInTheDocument();
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("draws a sampled zero of a gauge as a tick, and is empty only without samples", () => {
    const points = [
      { at: "2026-12-01T10:00:00Z", value: null },
      { at: "2026-12-01T10:01:00Z", value: 0 },
      { at: "2026-12-01T10:02:00Z", value: 3 },
    ];
    const { container } = render(<BarChart title="Depth" unit="messages" timeLabel={label} points={points} zeroIsData />);
    expect(screen.getByRole("img", { name: "Depth: peak 3 messages" })).toBeInTheDocument();
    const bars = container.querySelectorAll("rect");
    expect(bars).toHaveLength(2);
    expect(bars[0].getAttribute("height")).toBe("1");
    render(<BarChart title="Idle" unit="messages" timeLabel={label} points={[points[0]]} zeroIsData empty="No samples." />);
    expect(screen.getByText("No samples.")).toBeInTheDocument();
  });
});
