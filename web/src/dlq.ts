import type { Schemas } from "./api/client";

export type DlqFilter = { eventType?: string; configId?: string; reason?: string };

/** The same selection rule as the api's (`Selection::matches`): every named field must match. */
export function matchesFilter(message: Schemas["DeadLetterInfo"], filter: DlqFilter): boolean {
  return (
    (!filter.eventType || message.eventType === filter.eventType) &&
    (!filter.configId || (message.configId ?? "").toLowerCase() === filter.configId.toLowerCase()) &&
    (!filter.reason || message.reason === filter.reason)
  );
}

export function isEmptyFilter(filter: DlqFilter): boolean {
  return !filter.eventType && !filter.configId && !filter.reason;
}

/** The distinct non-empty values of one field, for the filter drop-downs. */
export function distinct(messages: Schemas["DeadLetterInfo"][], pick: (m: Schemas["DeadLetterInfo"]) => string | null | undefined): string[] {
  return [...new Set(messages.map(pick).filter((v): v is string => !!v))].sort();
}
