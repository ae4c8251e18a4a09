import type { Schemas } from "./api/client";

export type DlqFilter = { eventType?: string; configId?: string; reason?: string };
type Message = Schemas["DeadLetterInfo"];

/** Rows of the dead-letter table per page. */
export const PAGE_SIZE = 25;

/** The same selection rule as the api's (`Selection::matches`): every named field must match. */
export function matchesFilter(message: Message, filter: DlqFilter): boolean {
  return (
    (!filter.eventType || message.eventType === filter.eventType) &&
    (!filter.configId || (message.configId ?? "").toLowerCase() === filter.configId.toLowerCase()) &&
    (!filter.reason || message.reason === filter.reason)
  );
}

export function isEmptyFilter(filter: DlqFilter): boolean {
  return !filter.eventType && !filter.configId && !filter.reason;
}

/** The body selecting everything a filter matches in the whole queue (`all` without one). */
export function filterBody(filter: DlqFilter): Schemas["DlqSelectionBody"] {
  if (isEmptyFilter(filter)) return { all: true };
  const body: Schemas["DlqSelectionBody"] = {};
  if (filter.eventType) body.eventType = filter.eventType;
  if (filter.configId) body.configId = filter.configId;
  if (filter.reason) body.reason = filter.reason;
  return body;
}

/** The distinct non-empty values of one field, for the filter drop-downs. */
export function distinct(messages: Message[], pick: (m: Message) => string | null | undefined): string[] {
  return [...new Set(messages.map(pick).filter((v): v is string => !!v))].sort();
}

/** Page `page` (from 0) of `items`, clamped to the last page; and how many pages there are. */
export function pageOf<T>(items: T[], page: number, size = PAGE_SIZE): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { rows: items.slice(at * size, at * size + size), page: at, pages };
}

/** `selected` with `id` added or removed. */
export function toggle(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** Whether every id of the page is selected (false for an empty page). */
export function allSelected(selected: ReadonlySet<string>, ids: string[]): boolean {
  return ids.length > 0 && ids.every((id) => selected.has(id));
}

/** "Select all on this page": selects the page's ids, or unselects them when all already are. */
export function togglePage(selected: ReadonlySet<string>, ids: string[]): Set<string> {
  const next = new Set(selected);
  if (allSelected(selected, ids)) ids.forEach((id) => next.delete(id));
  else ids.forEach((id) => next.add(id));
  return next;
}

/** Keeps only the selected ids still listed (a message replayed or discarded elsewhere leaves). */
export function stillListed(selected: ReadonlySet<string>, messages: Message[]): Set<string> {
  const listed = new Set(messages.map((m) => m.id));
  return new Set([...selected].filter((id) => listed.has(id)));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What a preview says before a replay or discard runs. */
export function previewWords(action: "replay" | "discard", preview: Schemas["DlqPreview"]): string {
  if (preview.matching === 0) return `Nothing to ${action}: no message in the queue matches any more.`;
  if (action === "discard") return `${plural(preview.matching, "message")} will be removed for good.`;
  const stuck = preview.matching - preview.replayable;
  const rest =
    stuck > 0
      ? ` ${plural(stuck, "message")} ${stuck === 1 ? "records" : "record"} no work queue of this installation and will stay, reported as failed.`
      : "";
  return `${plural(preview.matching, "message")} will go back to the queue they failed in.${rest}`;
}
