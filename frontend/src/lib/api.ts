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
] as const;

/** The six types of the spec, plus OTHER for anything else SmartLead sends. */
export type EventType = (typeof EVENT_TYPES)[number] | "OTHER";

export const ALL_TYPES: readonly EventType[] = [...EVENT_TYPES, "OTHER"];

export type State =
  | "starting"
  | "listening"
  | "stalled"
  | "reconnecting"
  | "unauthorized"
  | "signed_out"
  | "error";

/** GET /api/status */
export interface Status {
  state: State;
  message: string;
  tunnel: string;
  webhook_url: string;
  webhook_id: string;
  registered: boolean;
  last_event_at: string | null;
  counts: Partial<Record<EventType, number>>;
  unread: number;
  /** Set when the events come from the built-in simulator ("Try the demo"). */
  demo?: boolean;
}

/** GET, POST and DELETE /api/demo */
export interface DemoState {
  demo: boolean;
  /** False when Leadbell was started as `leadbell demo`: there is no account to go back to. */
  can_leave: boolean;
}

/** One SmartLead delivery, normalised. Missing fields are omitted. */
export interface LeadEvent {
  id: string;
  type: EventType;
  source_type?: string;
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
  verified_by?: string;
  backfilled?: boolean;
  read: boolean;
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
  limit?: number;
  before?: string;
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
  headers?: Record<string, string | string[]>;
  body?: string;
  body_size?: number;
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

export interface Campaign {
  id: string;
  name: string;
  status?: string;
}

export type SecretStorage = "keychain" | "file" | "none";

/**
 * Where the API key in use came from: "environment" (--api-key or
 * SMARTLEAD_API_KEY; not stored by Leadbell), "stored" (kept by Leadbell after
 * a sign-in, see secret_storage), or "" (signed out, or an older version).
 */
export type APIKeySource = "environment" | "stored" | "";

export interface Settings {
  signed_in: boolean;
  api_key_hint: string;
  api_key_source?: APIKeySource;
  secret_storage: SecretStorage;
  ngrok_token_set: boolean;
  ngrok_domain: string;
  scope: { all: boolean; campaigns: string[] };
  events: EventType[];
  notifications: {
    types: Partial<Record<EventType, boolean>>;
    quiet_hours: { enabled: boolean; start: string; end: string };
    sound: boolean;
  };
  /** Days each kind of event is kept; 0 keeps it forever. Replies, bounces and unsubscribes are always kept. */
  retention?: { sent_days: number; opened_days: number; clicked_days: number };
}

/**
 * A PUT /api/settings body: any part of Settings. ngrok_token is write-only
 * (the server only ever answers ngrok_token_set); an empty string clears it.
 */
export type SettingsUpdate = Partial<Omit<Settings, "signed_in" | "api_key_hint" | "api_key_source" | "secret_storage" | "ngrok_token_set">> & {
  ngrok_token?: string;
};

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
  /** The endpoint does not exist in this version of Leadbell. */
  get notAvailable(): boolean {
    return this.status === 404;
  }
}

/** True when err says the endpoint does not exist in this version. */
export function isNotAvailable(err: unknown): boolean {
  return err instanceof ApiError && err.notAvailable;
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      signal,
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
          limit: q.limit,
          before: q.before,
        }),
      undefined,
      signal,
    ),

  event: (id: string, signal?: AbortSignal) => call<LeadEvent>("GET", `/api/events/${seg(id)}`, undefined, signal),

  setRead: (id: string, read: boolean) => call<{ id: string; read: boolean }>("POST", `/api/events/${seg(id)}/read`, { read }),

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
