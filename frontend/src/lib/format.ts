// Small pure helpers: time, ordering, labels, links and quoting.

import type { EventType, LeadEvent } from "./api";

export const TYPE_LABEL: Record<EventType, string> = {
  EMAIL_SENT: "Sent",
  EMAIL_OPENED: "Opened",
  EMAIL_CLICKED: "Clicked",
  EMAIL_REPLIED: "Replied",
  EMAIL_BOUNCED: "Bounced",
  EMAIL_UNSUBSCRIBED: "Unsubscribed",
  LEAD_CATEGORY_UPDATED: "Categorized",
  OTHER: "Other",
};

/** Longer names for switches and legends, where a bare "Categorized" would be unclear. */
const TYPE_LONG_LABEL: Partial<Record<EventType, string>> = {
  LEAD_CATEGORY_UPDATED: "Category changes",
};

/** The label of a type in settings and legends: "Category changes" rather than "Categorized". */
export function typeLongLabel(t: string): string {
  return (TYPE_LONG_LABEL as Record<string, string>)[t] ?? typeLabel(t);
}

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

const clock = lazyFormat({ hour: "numeric", minute: "2-digit" });
const dayClock = lazyFormat({ month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

/** "14:02" today (in the locale's clock), "Mar 4, 14:02" on another day. */
export function clockTime(t: number, now: number): string {
  if (!t) return "";
  return new Date(t).toDateString() === new Date(now).toDateString() ? clock(t) : dayClock(t);
}

/**
 * Why SmartLead cannot reach this computer, from the status message, without
 * the "SmartLead cannot reach this computer yet:" that the heading says.
 */
export function reachReason(message: string | undefined): string {
  const m = (message ?? "").trim().replace(/^SmartLead cannot reach this computer yet[:.]\s*/i, "");
  // "ngrok" keeps its own lower case.
  return m && !/^ngrok\b/.test(m) ? m[0].toUpperCase() + m.slice(1) : m;
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

/**
 * What a category update says, for lists: "Marked Interested", or
 * "Category removed" when SmartLead sent none. The names are SmartLead's
 * (the account's own categories): text, never markup.
 */
export function categoryChange(ev: LeadEvent): string {
  const now = ev.category?.trim();
  return now ? `Marked ${now}` : ev.previous_category?.trim() ? "Category removed" : "Category changed";
}

/** "was Not Interested" when a category update says what it replaced, else "". */
export function categoryWas(ev: LeadEvent): string {
  const was = ev.previous_category?.trim();
  return was && was !== ev.category?.trim() ? `was ${was}` : "";
}

// SmartLead's built-in categories by how they read for a salesperson. The
// account can add its own; those are shown without a tone.
const GOOD_CATEGORIES = ["interested", "meeting request", "meeting booked", "information request", "closed", "won", "positive"];
const BAD_CATEGORIES = ["not interested", "do not contact", "wrong person", "sender originated bounce", "uninterested", "negative", "lost"];
const AWAY_CATEGORIES = ["out of office", "ooo", "auto reply", "autoreply"];

/** A CSS class token for a category name (never the name itself): cat-good, cat-bad, cat-away or cat-plain. */
export function categoryClass(name: string | undefined): string {
  const n = (name ?? "").trim().toLowerCase().replace(/[_-]+/g, " ").replace(/\s+/g, " ");
  if (GOOD_CATEGORIES.includes(n)) return "cat-good";
  if (BAD_CATEGORIES.includes(n)) return "cat-bad";
  if (AWAY_CATEGORIES.includes(n)) return "cat-away";
  return "cat-plain";
}

/** The person an event is about, for headings. */
export function who(ev: LeadEvent): string {
  return ev.lead_name?.trim() || ev.lead_email || "Unknown lead";
}

const weekdayClock = lazyFormat({ weekday: "short", hour: "numeric", minute: "2-digit" });

/** When a snooze ends, for a person: "16:30", "tomorrow 8:00", "Mon 8:00", "Mar 9, 8:00". */
export function laterTime(t: number, now: number): string {
  if (!t) return "";
  const day = (x: number) => {
    const d = new Date(x);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  };
  const days = Math.round((day(t) - day(now)) / 86_400_000);
  if (days === 0) return clock(t);
  if (days === 1) return `tomorrow ${clock(t)}`;
  if (days > 1 && days < 7) return weekdayClock(t);
  return dayClock(t);
}

/** Whether ev is an answer the user sent from Leadbell (it shows as "Sent from Leadbell"). */
export function fromLeadbell(ev: LeadEvent): boolean {
  return ev.source_type === "LEADBELL_ANSWER" || ev.source_type === "LEADBELL_CATEGORY";
}
