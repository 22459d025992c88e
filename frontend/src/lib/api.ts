// The client of Leadbell's local JSON API (docs/design.md). The UI talks to
// nothing else. Every string that comes back from an event is untrusted: it is
// only ever rendered through Svelte text interpolation.

export const EVENT_TYPES = [
  "EMAIL_SENT",
  "EMAIL_OPENED",
  "EMAIL_CLICKED",
  "EMAIL_REPLIED",
  "EMAIL_BOUNCED",
  "EMAIL_UNSUBSCRIBED",
  "LEAD_CATEGORY_UPDATED",
] as const;

/**
 * The six types of the spec and SmartLead's category updates (a lead tagged
 * Interested, Meeting Request, ...), plus OTHER for anything else it sends.
 */
export type EventType = (typeof EVENT_TYPES)[number] | "OTHER";

export const ALL_TYPES: readonly EventType[] = [...EVENT_TYPES, "OTHER"];

export type State =
  | "starting"
  | "listening"
  | "stalled"
  | "reconnecting"
  | "unauthorized"
  | "signed_out"
  | "error"
  /** SmartLead cannot reach this computer yet: no ngrok token and no public address, or one it cannot use. */
  | "unreachable"
  /** The disk refuses new events (full, read-only, an error, the data folder removed): see storage. */
  | "cannot_save";

/** Something the user should know that does not stop Leadbell; message is a sentence for the user. */
export interface Warning {
  code: "plain_http" | "secret_mismatch" | "scope_fallback" | (string & {});
  message: string;
}

/** GET /api/status */
export interface Status {
  state: State;
  message: string;
  /** The technical cause of a problem state, for diagnostics and support; message says it in words. */
  detail?: string;
  tunnel: string;
  webhook_url: string;
  webhook_id: string;
  registered: boolean;
  last_event_at: string | null;
  counts: Partial<Record<EventType, number>>;
  unread: number;
  /** The replies waiting for the user: unread, not done or snoozed, not an out-of-office or automatic reply. */
  needs_you: number;
  /** Set when the events come from the built-in simulator ("Try the demo"). */
  demo?: boolean;
  /** When SmartLead itself first reached the current address (its test event, or a first event); null until then. */
  confirmed_at: string | null;
  /** Things to know that do not stop Leadbell, each a sentence. */
  warnings: Warning[];
  /** Set while new events cannot be saved (state cannot_save). */
  storage?: Storage;
}

/** Why new events cannot be saved. */
export interface Storage {
  problem: "disk_full" | "read_only" | "io_error" | "removed";
  since: string;
  data_dir: string;
  free_bytes?: number;
}

/** GET, POST and DELETE /api/demo (app.DemoState: not checked by app/api's TestTSTypes, package app imports app/api). */
export interface DemoState {
  demo: boolean;
  /** False when Leadbell was started as `leadbell demo`: there is no account to go back to. */
  can_leave: boolean;
}

/** One SmartLead delivery, normalised. Missing fields are omitted. */
export interface LeadEvent {
  id: string;
  type: EventType;
  /** The event type as SmartLead named it; "" when it named none. */
  source_type: string;
  timestamp?: string;
  received_at?: string;
  campaign_id?: string;
  campaign_name?: string;
  lead_id?: string;
  lead_email?: string;
  lead_name?: string;
  company?: string;
  custom_fields?: Record<string, string>;
  sequence_number?: number;
  subject?: string;
  body?: string;
  url?: string;
  open_count?: number;
  app_url?: string;
  message_id?: string;
  /** SmartLead's id of the email. */
  stats_id?: string;
  /** The lead's SmartLead category: the new one on a category update, the lead's current one on other events. */
  category?: string;
  /** On a category update, the category it replaced. */
  previous_category?: string;
  verified_by?: string;
  backfilled?: boolean;
  read: boolean;
  /** The user is finished with it: it leaves the inbox's default view. */
  done?: boolean;
  /** When a snoozed event comes back (unread, with a notification); absent when it is not snoozed. */
  snoozed_until?: string;
  /** What Leadbell makes of a reply (interested, question, out_of_office...); absent until it has looked. */
  triage?: string;
  /** Why, in words. */
  triage_reason?: string;
  raw?: unknown;
}

export interface EventPage {
  events: LeadEvent[];
  next: string;
}

export interface EventQuery {
  type?: EventType | "";
  campaign?: string;
  lead?: string;
  q?: string;
  unread?: boolean;
  /** true: only replies marked done; false: none of them. */
  done?: boolean;
  /** true: only snoozed replies; false: none of them. */
  snoozed?: boolean;
  /** The lead's current SmartLead category, by name. */
  category?: string;
  /** What Leadbell makes of the reply (interested, question...), or "none": not sorted yet. */
  triage?: string;
  limit?: number;
  before?: string;
}

/** Where an answer is: waiting out its undo window, being sent, sent, not sent (problem says why), or taken back. */
export type OutboxState = "waiting" | "sending" | "sent" | "failed" | "cancelled";

/** An answer on its way (POST /api/events/{id}/reply, GET and DELETE /api/outbox/{id}). */
export interface Outbox {
  outbox_id: string;
  /** The reply it answers. */
  event_id: string;
  state: OutboxState;
  /** When it leaves: the end of its undo window. */
  send_at: string;
  sent_at?: string;
  body: string;
  cc?: string[];
  bcc?: string[];
  /** Why it was not sent, a sentence for the user. */
  problem?: string;
}

/** A POST /api/events/{id}/reply body (an anonymous struct in its handler). */
export interface AnswerRequest {
  body: string;
  /** Addresses, comma-separated. */
  cc?: string;
  bcc?: string;
  /** Seconds to wait before sending; the 10 s undo window when left out, 0 at once. */
  delay_s?: number;
  /** Add the sender's SmartLead signature (the default). */
  signature?: boolean;
}

/** What is written so far in answer to a reply (GET /api/events/{id}/draft). */
export interface Draft {
  body: string;
  cc?: string[];
  bcc?: string[];
  signature: boolean;
  saved_at: string;
}

/** One of the account's lead categories (GET /api/categories). */
export interface Category {
  id: string;
  name: string;
  /** "positive", "negative" or "neutral" when SmartLead says. */
  sentiment?: string;
}

/** GET /api/stats?range= */
export type StatsRange = "24h" | "30d";
export interface StatsBucket {
  start: string;
  counts: Partial<Record<EventType, number>>;
}
export interface CampaignStats {
  id: string;
  name: string;
  counts: Partial<Record<EventType, number>>;
  reply_rate: number;
}
export interface Stats {
  range: StatsRange;
  buckets: StatsBucket[];
  campaigns: CampaignStats[];
}

/** GET /api/deliveries: one delivery the receiver answered, newest first. */
export interface Delivery {
  at: string;
  status: number;
  verified_by?: string;
  reason?: string;
  event_id?: string;
  type?: string;
  source_type?: string;
  remote?: string;
  headers?: Record<string, string>;
  body?: string;
  body_size: number;
  /** An event SmartLead sent again that Leadbell had already stored. */
  duplicate?: boolean;
  /** SmartLead's own test event (sent when a connection is saved): not stored as an event. */
  test?: boolean;
  /** The header a signature came in, if any. */
  signature_header?: string;
  /** Taken on its private address although its signature or secret did not match the configured secret. */
  secret_mismatch?: boolean;
  /** Body is only the first 64 KiB of body_size bytes. */
  truncated?: boolean;
}

/** What the webhook answered since Leadbell started (GET /api/deliveries). */
export interface Answers {
  /** Deliveries by HTTP status: "200", "401", ... */
  by_status: Record<string, number>;
  /** Connections closed before a whole request came, at the connection cap. */
  connections_cut: number;
}

export interface ReplayResult {
  status: "duplicate" | "received";
  id: string;
}

/** GET /api/campaigns (a map built in its handler: not checked by app/api's TestTSTypes). */
export interface Campaign {
  id: string;
  name: string;
  /** SmartLead's word for it (ACTIVE, PAUSED, ...); "" when it gave none. */
  status: string;
}

export type SecretStorage = "keychain" | "file" | "none";

/**
 * Where the API key in use came from: "environment" (--api-key or
 * SMARTLEAD_API_KEY; not stored by Leadbell), "stored" (kept by Leadbell after
 * a sign-in, see secret_storage), or "" (signed out).
 */
export type APIKeySource = "environment" | "stored" | "";

/**
 * How Leadbell connects to SmartLead: one connection per campaign (the
 * default), one for the whole account, or one for an agency client's
 * campaigns (client_id). The last two cover every campaign.
 */
export type ScopeLevel = "campaigns" | "account" | "client";

export interface Scope {
  all: boolean;
  campaigns: string[];
  /** "" in settings saved before there was a choice: one connection per campaign. */
  level: ScopeLevel | "";
  client_id?: string;
}

/** Another tool's connection on the same SmartLead campaigns (Zapier, a CRM...). */
export interface OtherWebhook {
  name: string;
  /** "account" (the whole account), "client" or "campaign". */
  level: string;
  campaign_id?: string;
  campaign_name?: string;
  /** Where it sends to: a host name only. */
  host: string;
}

/** Which events raise a desktop notification, and when. */
export interface Notifications {
  types: Partial<Record<EventType, boolean>>;
  quiet_hours: QuietHours;
  sound: boolean;
  /** How a reply pops up by its triage class: "now", "normal", "silent" or "never"; null keeps the defaults. */
  triage: Record<string, string> | null;
  /** Lets the "now" replies through the quiet hours. */
  urgent_in_quiet_hours: boolean;
}

/** A daily window without notifications, "22:00" to "07:00" (local time). */
export interface QuietHours {
  enabled: boolean;
  start: string;
  end: string;
}

/** Days each kind of event is kept; 0 keeps it forever. Replies, bounces and unsubscribes are always kept. */
export interface Retention {
  sent_days: number;
  opened_days: number;
  clicked_days: number;
}

/** GET /api/settings */
export interface Settings {
  signed_in: boolean;
  api_key_hint: string;
  api_key_source: APIKeySource;
  secret_storage: SecretStorage;
  ngrok_token_set: boolean;
  ngrok_domain: string;
  /** The public https address of the user's own tunnel or reverse proxy; "" for none. */
  public_url: string;
  /** "flag" when the public address was given on the command line for this run (read-only here). */
  public_url_source?: string;
  /** "flag" when Leadbell was started with a choice of connection (--tunnel) for this run. */
  tunnel_source?: string;
  other_webhooks: OtherWebhook[];
  scope: Scope;
  events: EventType[];
  notifications: Notifications;
  retention: Retention;
}

/**
 * A PUT /api/settings body: the parts of Settings to change, the rest left
 * as they are. ngrok_token is write-only (the server only ever answers
 * ngrok_token_set); an empty string clears it.
 */
export interface SettingsUpdate {
  ngrok_domain?: string;
  ngrok_token?: string;
  public_url?: string;
  scope?: Scope;
  events?: EventType[];
  notifications?: Notifications;
  retention?: Retention;
}

export type SignInCode = "invalid_key" | "no_api_access" | "unreachable";

/** An API call that failed. status 0 means the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, message: string, code = "") {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/**
 * What to tell the user about anything thrown: the server's sentence,
 * without the "invalid request: settings: " prefixes its errors can carry,
 * or fallback when there is no sentence to show (an internal error, a bare
 * HTTP status, or not an ApiError at all: never a JavaScript error's words).
 */
export function errorText(err: unknown, fallback = "Something went wrong. Try again."): string {
  if (!(err instanceof ApiError) || !err.message) return fallback;
  if (err.status === 500 || /^\d{3} /.test(err.message)) return fallback;
  let m = err.message.trim();
  for (let prev = ""; prev !== m; ) {
    prev = m;
    m = m.replace(/^(invalid request|settings|app|api):\s*/i, "");
  }
  if (!m) return fallback;
  m = m[0].toUpperCase() + m.slice(1);
  return /[.!?…]$/.test(m) ? m : `${m}.`;
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, keepalive = false): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      signal,
      keepalive,
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "Leadbell is not answering. Is it still running?");
  }
  let data: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const obj = (data ?? {}) as { error?: unknown; code?: unknown };
    const msg = typeof obj.error === "string" && obj.error ? obj.error : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, msg, typeof obj.code === "string" ? obj.code : "");
  }
  return data as T;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === "") continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

const seg = encodeURIComponent;

export const api = {
  status: (signal?: AbortSignal) => call<Status>("GET", "/api/status", undefined, signal),

  events: (q: EventQuery, signal?: AbortSignal) =>
    call<EventPage>(
      "GET",
      "/api/events" +
        query({
          type: q.type,
          campaign: q.campaign,
          lead: q.lead,
          q: q.q?.trim(),
          unread: q.unread ? true : undefined,
          done: q.done,
          snoozed: q.snoozed,
          category: q.category,
          triage: q.triage,
          limit: q.limit,
          before: q.before,
        }),
      undefined,
      signal,
    ),

  event: (id: string, signal?: AbortSignal) => call<LeadEvent>("GET", `/api/events/${seg(id)}`, undefined, signal),

  setRead: (id: string, read: boolean) => call<{ id: string; read: boolean }>("POST", `/api/events/${seg(id)}/read`, { read }),

  /** Marks a reply done (it leaves the inbox) or back in the inbox; answers the event as changed. */
  setDone: (id: string, done: boolean) => call<LeadEvent>("POST", `/api/events/${seg(id)}/done`, { done }),

  /** Snoozes a reply until a time in the future (RFC 3339), or ends its snooze (null). */
  snooze: (id: string, until: string | null) => call<LeadEvent>("POST", `/api/events/${seg(id)}/snooze`, { until }),

  /** Answers a reply in its thread: kept for the undo window, then sent. */
  answer: (id: string, req: AnswerRequest) => call<Outbox>("POST", `/api/events/${seg(id)}/reply`, req),

  outboxEntry: (id: string, signal?: AbortSignal) => call<Outbox>("GET", `/api/outbox/${seg(id)}`, undefined, signal),

  /** The answers to one reply, sent or not. */
  outboxFor: (eventID: string, signal?: AbortSignal) =>
    call<{ outbox: Outbox[] }>("GET", `/api/outbox${query({ event_id: eventID })}`, undefined, signal),

  /** Takes an answer back while it waits; fails with code too_late once it has left. */
  cancelAnswer: (id: string) => call<Outbox>("DELETE", `/api/outbox/${seg(id)}`),

  /** The draft answer to a reply; null when there is none (204). */
  draft: (id: string, signal?: AbortSignal) => call<Draft | null>("GET", `/api/events/${seg(id)}/draft`, undefined, signal),

  /** Keeps the draft answer (an empty one is dropped); keepalive lets it finish as the page goes. */
  saveDraft: (id: string, d: Omit<AnswerRequest, "delay_s">, keepalive = false) =>
    call<Draft | null>("PUT", `/api/events/${seg(id)}/draft`, d, undefined, keepalive),

  dropDraft: (id: string) => call<null>("DELETE", `/api/events/${seg(id)}/draft`),

  categories: (signal?: AbortSignal) => call<{ categories: Category[] }>("GET", "/api/categories", undefined, signal),

  /** Sets a lead's SmartLead category ("" clears it); answers the category update it recorded. */
  setCategory: (leadID: string, category: string, pauseLead: boolean) =>
    call<LeadEvent>("POST", `/api/leads/${seg(leadID)}/category`, { category, pause_lead: pauseLead }),

  /** Deletes an event for good; a redelivery of it by SmartLead does not bring it back. */
  deleteEvent: (id: string) => call<{ id: string; deleted: boolean }>("DELETE", `/api/events/${seg(id)}`),

  leadEvents: (leadID: string, signal?: AbortSignal) =>
    call<{ events: LeadEvent[] }>("GET", `/api/leads/${seg(leadID)}/events`, undefined, signal),

  stats: (range: StatsRange, signal?: AbortSignal) => call<Stats>("GET", `/api/stats${query({ range })}`, undefined, signal),

  deliveries: (limit = 100, signal?: AbortSignal) =>
    call<{ deliveries: Delivery[]; answers?: Answers }>("GET", `/api/deliveries${query({ limit })}`, undefined, signal),

  replay: (id: string) => call<ReplayResult>("POST", `/api/events/${seg(id)}/replay`),

  campaigns: (signal?: AbortSignal) => call<{ campaigns: Campaign[] }>("GET", "/api/campaigns", undefined, signal),

  settings: (signal?: AbortSignal) => call<Settings>("GET", "/api/settings", undefined, signal),

  saveSettings: (update: SettingsUpdate) => call<Settings>("PUT", "/api/settings", update),

  signIn: (apiKey: string) => call<{ signed_in: boolean }>("POST", "/api/signin", { api_key: apiKey }),

  signOut: () => call<unknown>("POST", "/api/signout"),

  /** In the window: asks where to save an export (query: /api/export's) and writes it there. */
  saveExport: (query: string) => call<{ saved: string; events: number }>("POST", `/api/export/save?${query}`),

  demo: (signal?: AbortSignal) => call<DemoState>("GET", "/api/demo", undefined, signal),

  /** Switches to the built-in simulator; resolves once the demo runs. */
  startDemo: () => call<DemoState>("POST", "/api/demo"),

  /** Switches back to the user's account; resolves once it runs. */
  leaveDemo: () => call<DemoState>("DELETE", "/api/demo"),
};
