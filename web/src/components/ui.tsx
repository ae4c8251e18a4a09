import type { ReactNode } from "react";
import { ApiFailure } from "../api/client";

export function Loading({ what }: { what: string }) {
  return (
    <div className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden /> Loading {what}…
    </div>
  );
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const message =
    error instanceof ApiFailure || error instanceof Error ? error.message : String(error);
  return (
    <div className="state error" role="alert">
      <strong>{title ?? "Something went wrong"}</strong>
      <div>{message}</div>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export function Card({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Pill({ tone, children }: { tone: "ok" | "warn" | "bad" | "muted"; children: ReactNode }) {
  return <span className={`pill ${tone}`}>{children}</span>;
}

/** A write-only API key as the console may show it: whether it is set, and its last 4. */
export function ApiKeyState({ set, last4 }: { set: boolean; last4?: string | null }) {
  return set ? <>set, ends in …{last4 ?? ""}</> : <Pill tone="bad">not set</Pill>;
}

/** A timestamp in the property's time zone (`timeZone`, IANA name). */
export function formatTime(value: string | null | undefined, timeZone: string): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(date);
}

/** "3 min" style age of a timestamp. */
export function age(value: string | null | undefined, now: number = Date.now()): string {
  if (!value) return "—";
  const seconds = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}
