import type { Schemas } from "./api/client";

/** Every night (YYYY-MM-DD) of a month given as YYYY-MM. */
export function nightsOf(month: string): string[] {
  const [year, m] = month.split("-").map(Number);
  if (!year || !m) return [];
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return Array.from({ length: days }, (_, i) => `${month}-${String(i + 1).padStart(2, "0")}`);
}

/** YYYY-MM of a date, in UTC. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** YYYY-MM of an instant in the property's time zone (the calendar opens on the property's month). */
export function monthIn(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}`;
}

export type Cell = {
  pmsAvailable?: number;
  pmsRate?: string;
  /** what QloApps has, when the reconcile found it differs */
  qloAvailable?: number;
  qloRate?: string;
  drift: boolean;
};

/** The grid of one room type: PMS values per night, and QloApps' where the report saw drift. */
export function cellsFor(
  nights: string[],
  availability: Schemas["NightAvailability"][],
  rates: Schemas["NightRate"][],
  drift: Schemas["RoomTypeDrift"] | undefined,
): Map<string, Cell> {
  const available = new Map(availability.map((a) => [a.night, a.available]));
  const rate = new Map(rates.map((r) => [r.night, r.rate]));
  const qloAvailable = new Map((drift?.availability ?? []).map((d) => [d.night, d.qloapps]));
  const qloRate = new Map((drift?.rates ?? []).map((d) => [d.night, d.qloapps]));
  return new Map(
    nights.map((night) => [
      night,
      {
        pmsAvailable: available.get(night),
        pmsRate: rate.get(night),
        qloAvailable: qloAvailable.get(night),
        qloRate: qloRate.get(night),
        drift: qloAvailable.has(night) || qloRate.has(night),
      },
    ]),
  );
}
