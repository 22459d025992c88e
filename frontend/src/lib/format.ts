// Small pure helpers: time, ordering, labels, links and quoting.

import type { EventType, LeadEvent } from "./api";

export const TYPE_LABEL: Record<EventType, string> = {
  EMAIL_SENT: "Sent",
  EMAIL_OPENED: "Opened",
  EMAIL_CLICKED: "Clicked",
  EMAIL_REPLIED: "Replied",
  EMAIL_BOUNCED: "Bounced",
  EMAIL_UNSUBSCRIBED: "Unsubscribed",
  OTHER: "Other",
};

/** The label of a type; unknown names (never trusted as markup) pass through. */
export function typeLabel(t: string): string {
  return (TYPE_LABEL as Record<string, string>)[t] ?? t;
}

/** A CSS class token for a type: only the known names, so no payload text lands in class. */
export function typeClass(t: string): string {
  return t in TYPE_LABEL ? `t-${t}` : "t-OTHER";
}

function ms(s: string | undefined | null): number {
  if (!s) return NaN;
  return Date.parse(s);
}

/**
 * The time an event is ordered by, as the server orders it (Event.When): the
 * time SmartLead gives unless missing or over an hour after it reached us.
 */
export function eventTime(ev: LeadEvent): number {
  const ts = ms(ev.timestamp);
  const rx = ms(ev.received_at);
  if (Number.isNaN(ts)) return Number.isNaN(rx) ? 0 : rx;
  if (!Number.isNaN(rx) && ts > rx + 3_600_000) return rx;
  return ts;
}

/** Compares decimal event ids (they grow in arrival order). */
export function compareIDs(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first by event time, then newest arrival first: the list order. */
export function newerFirst(a: LeadEvent, b: LeadEvent): number {
  const d = eventTime(b) - eventTime(a);
  return d !== 0 ? d : compareIDs(b.id, a.id);
}

/** A date formatter made on first use (making one costs a few milliseconds). */
function lazyFormat(opts: Intl.DateTimeFormatOptions): (d: Date | number) => string {
  let f: Intl.DateTimeFormat | undefined;
  return (d) => (f ??= new Intl.DateTimeFormat(undefined, opts)).format(d);
}

const weekday = lazyFormat({ weekday: "short" });
const monthDay = lazyFormat({ month: "short", day: "numeric" });
const monthDayYear = lazyFormat({ year: "numeric", month: "short", day: "numeric" });
const full = lazyFormat({ dateStyle: "medium", timeStyle: "short" });

/** A compact relative time for lists: "now", "2m", "3h", "Mon", "Mar 4", "Mar 4, 2024". */
export function shortAgo(t: number, now: number): string {
  if (!t) return "";
  const s = Math.round((now - t) / 1000);
  if (s < 45) return "now";
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  const d = new Date(t);
  if (s < 6 * 86_400) return weekday(d);
  if (d.getFullYear() === new Date(now).getFullYear()) return monthDay(d);
  return monthDayYear(d);
}

/** "just now", "2 min ago", "3 h ago", "4 days ago". */
export function longAgo(t: number, now: number): string {
  if (!t) return "never";
  const s = Math.round((now - t) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86_400);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

export function fullTime(t: number | string | undefined): string {
  const v = typeof t === "string" ? Date.parse(t) : t;
  if (!v || Number.isNaN(v)) return "";
  return full(v);
}


/** One line of a body for a list row: whitespace collapsed, quoted history cut. */
export function snippet(body: string | undefined, max = 160): string {
  if (!body) return "";
  const lines: string[] = [];
  for (const line of body.slice(0, 4000).split(/\r?\n/)) {
    const l = line.trim();
    if (l.startsWith(">")) continue;
    if (/^On .+wrote:$/.test(l)) break;
    if (l) lines.push(l);
    if (lines.join(" ").length > max) break;
  }
  const s = lines.join(" ").replace(/\s+/g, " ");
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/** The URL itself if it is http(s), else null: the only links the UI makes. */
export function safeHttpUrl(x: string | undefined | null): string | null {
  if (!x) return null;
  try {
    const u = new URL(x);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

/** Quotes s for a POSIX shell as one word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command that posts body to url, the body passed through a quoted
 * heredoc (no expansion). The terminator is chosen so no body line equals it.
 */
export function curlCommand(url: string, body: string): string {
  const lines = body.split("\n");
  let tag = "EOF";
  for (let i = 1; lines.includes(tag); i++) tag = `EOF_${i}`;
  return (
    `curl -X POST ${shellQuote(url)} -H 'Content-Type: application/json' --data-binary @- <<'${tag}'\n` +
    `${body}\n${tag}\n`
  );
}

/** Pretty-prints JSON text; text that is not JSON comes back unchanged. */
export function prettyJSON(text: string | undefined): string {
  if (!text) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The person an event is about, for headings. */
export function who(ev: LeadEvent): string {
  return ev.lead_name?.trim() || ev.lead_email || "Unknown lead";
}
