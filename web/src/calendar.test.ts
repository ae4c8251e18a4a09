import { describe, expect, it } from "vitest";
import { cellsFor, monthOf, nightsOf } from "./calendar";

describe("the calendar grid", () => {
  it("lists every night of a month, leap years included", () => {
    expect(nightsOf("2028-02")).toHaveLength(29);
    expect(nightsOf("2026-12")[0]).toBe("2026-12-01");
    expect(nightsOf("2026-12").at(-1)).toBe("2026-12-31");
    expect(nightsOf("nonsense")).toEqual([]);
    expect(monthOf(new Date("2026-12-31T23:00:00Z"))).toBe("2026-12");
  });

  it("puts QloApps' value only where the reconcile saw drift", () => {
    const updatedAt = "2026-12-01T00:00:00Z";
    const cells = cellsFor(
      ["2026-12-01", "2026-12-02"],
      [
        { night: "2026-12-01", available: 3, updatedAt },
        { night: "2026-12-02", available: 5, updatedAt },
      ],
      [{ night: "2026-12-02", rate: "120.00", updatedAt }],
      {
        roomTypeId: "r",
        code: "DBL",
        qloappsRoomTypeId: 1,
        availability: [{ night: "2026-12-01", pms: 3, qloapps: 4 }],
        rates: [],
      },
    );
    expect(cells.get("2026-12-01")).toEqual({ pmsAvailable: 3, pmsRate: undefined, qloAvailable: 4, qloRate: undefined, drift: true });
    expect(cells.get("2026-12-02")).toMatchObject({ pmsAvailable: 5, pmsRate: "120.00", drift: false });
  });
});

describe("the calendar's month", () => {
  it("is the property's month, not the browser's or UTC's", async () => {
    const { monthIn } = await import("./calendar");
    // 1 December 05:00 UTC is still 30 November in Los Angeles, already December in Auckland
    const at = new Date("2026-12-01T05:00:00Z");
    expect(monthIn(at, "America/Los_Angeles")).toBe("2026-11");
    expect(monthIn(at, "Pacific/Auckland")).toBe("2026-12");
    expect(monthIn(new Date("2026-12-31T20:00:00Z"), "Asia/Tokyo")).toBe("2027-01");
  });
});
