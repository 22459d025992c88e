// The app's shared live state: the status, the event stream, read marks made
// in this window, and the campaigns seen. One instance, created by main.ts
// and passed down through Svelte context.

import { SvelteMap } from "svelte/reactivity";
import { api, errorText, type LeadEvent, type Status } from "./api";
import { onWailsEvent, setTitle, WAILS_UPDATED } from "./host";

type EventListener = (ev: LeadEvent) => void;
type ReadyListener = () => void;

const STATUS_EVERY_MS = 5000;

export class Live {
  /** The last status answer; null until the first one. */
  status = $state<Status | null>(null);
  /** Why the last status call failed; "" when it worked. */
  statusError = $state("");
  /** Whether the event stream is open. */
  streaming = $state(false);
  /** Ticks every 15 s so relative times stay fresh. */
  now = $state(Date.now());
  /** Read marks set in this window since the lists were fetched. */
  readonly reads = new SvelteMap<string, boolean>();
  /** Campaign id to name, from the events seen and /api/campaigns. */
  readonly campaigns = new SvelteMap<string, string>();

  private source: EventSource | null = null;
  private lastID = "";
  private eventListeners = new Set<EventListener>();
  private deletedListeners = new Set<(id: string) => void>();
  private updatedListeners = new Set<EventListener>();
  private readyListeners = new Set<ReadyListener>();
  private statusTimer = 0;
  private statusSoon = 0;
  private reopenTimer = 0;
  private statusInFlight = false;

  /** Opens the stream first, then polls the status. */
  start(): () => void {
    this.open();
    const isEvent = (data: unknown): data is LeadEvent => !!data && typeof data === "object" && typeof (data as LeadEvent).id === "string";
    const offWails = onWailsEvent((data) => {
      if (isEvent(data)) this.deliver(data);
    });
    const offWailsUpdated = onWailsEvent((data) => {
      if (isEvent(data)) this.updated(data);
    }, WAILS_UPDATED);
    void this.refreshStatus();
    this.statusTimer = window.setInterval(() => void this.refreshStatus(), STATUS_EVERY_MS);
    const tick = window.setInterval(() => (this.now = Date.now()), 15_000);
    const onVisible = () => {
      if (document.visibilityState === "visible") {
        this.now = Date.now();
        void this.refreshStatus();
      }
    };
    document.addEventListener("visibilitychange", onVisible);
    // A page kept in the back/forward cache must not hold its stream open:
    // browsers allow six connections per host, so a few visits back and
    // forth would leave the next page waiting forever. Close it on pagehide;
    // when the page is shown again from the cache, reopen it with ?since=
    // (the server replays what was missed and says "ready", and the lists
    // merge by id).
    const onHide = () => this.close();
    const onShow = (e: PageTransitionEvent) => {
      if (!e.persisted) return;
      this.now = Date.now();
      if (!this.source) this.open();
      void this.refreshStatus();
    };
    window.addEventListener("pagehide", onHide);
    window.addEventListener("pageshow", onShow);
    return () => {
      window.removeEventListener("pagehide", onHide);
      window.removeEventListener("pageshow", onShow);
      offWails();
      offWailsUpdated();
      window.clearInterval(this.statusTimer);
      window.clearInterval(tick);
      window.clearTimeout(this.statusSoon);
      window.clearTimeout(this.reopenTimer);
      document.removeEventListener("visibilitychange", onVisible);
      this.close();
    };
  }

  /** Calls fn for each new event (live or replayed after a reconnect). */
  onEvent(fn: EventListener): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  /** Calls fn with the id of each event deleted (here or in another window). */
  onDeleted(fn: (id: string) => void): () => void {
    this.deletedListeners.add(fn);
    return () => this.deletedListeners.delete(fn);
  }

  /** Drops a deleted event everywhere and refreshes the counts. */
  deleted(id: string): void {
    this.reads.delete(id);
    for (const fn of this.deletedListeners) fn(id);
    this.refreshStatusSoon();
  }

  /**
   * Calls fn with each event changed after it was stored (marked done,
   * snoozed, back from a snooze), here or in another window.
   */
  onUpdated(fn: EventListener): () => void {
    this.updatedListeners.add(fn);
    return () => this.updatedListeners.delete(fn);
  }

  /**
   * Passes on an event as it is now (the server's answer to a change made
   * here, or the stream's "updated" message): the lists update or drop its
   * row, and read marks made here give way to its read state.
   */
  updated(ev: LeadEvent): void {
    if (!ev || typeof ev.id !== "string" || !ev.id) return;
    this.reads.delete(ev.id);
    for (const fn of this.updatedListeners) fn(ev);
    this.refreshStatusSoon();
  }

  /** Passes on an event this window made (a category set here) without waiting for the stream. */
  received(ev: LeadEvent): void {
    this.deliver(ev);
  }

  /** Calls fn each time the stream is (re)established: time to (re)fetch the first page. */
  onReady(fn: ReadyListener): () => void {
    this.readyListeners.add(fn);
    return () => this.readyListeners.delete(fn);
  }

  /** Whether ev is read, counting marks made here. */
  isRead(ev: LeadEvent): boolean {
    return this.reads.get(ev.id) ?? ev.read;
  }

  /** Marks ev read or unread, optimistically; throws (and rolls back) if the server refuses. */
  async setRead(ev: LeadEvent, read: boolean): Promise<void> {
    const was = this.isRead(ev);
    if (was === read) return;
    // The counts are of replies only, as the server counts them.
    const counted = ev.type === "EMAIL_REPLIED";
    const waits = waitsForUser(ev);
    this.reads.set(ev.id, read);
    if (counted) this.bumpUnread(read ? -1 : 1, waits);
    try {
      const res = await api.setRead(ev.id, read);
      this.reads.set(ev.id, res.read);
    } catch (err) {
      this.reads.set(ev.id, was);
      if (counted) this.bumpUnread(read ? 1 : -1, waits);
      throw err;
    } finally {
      this.refreshStatusSoon();
    }
  }

  /** The name of a campaign id, if seen. */
  campaignName(id: string): string {
    return this.campaigns.get(id) ?? id;
  }

  async refreshStatus(): Promise<void> {
    if (this.statusInFlight) return;
    this.statusInFlight = true;
    try {
      const st = await api.status();
      // A switch to or from the demo (here or in another window) swaps the
      // whole store: start over rather than merge two stores' events.
      if (this.status && !!this.status.demo !== !!st.demo) {
        location.reload();
        return;
      }
      this.status = st;
      this.statusError = "";
      this.setTitle(st.needs_you);
    } catch (err) {
      this.statusError = errorText(err, "Leadbell is not answering.");
    } finally {
      this.statusInFlight = false;
    }
  }

  /** Refreshes the status within a second, coalescing bursts of events. */
  refreshStatusSoon(): void {
    if (this.statusSoon) return;
    this.statusSoon = window.setTimeout(() => {
      this.statusSoon = 0;
      void this.refreshStatus();
    }, 700);
  }

  /** Moves the unread count by delta, and the count of replies waiting for the user too when waits. */
  private bumpUnread(delta: number, waits: boolean): void {
    if (!this.status) return;
    const unread = Math.max(0, this.status.unread + delta);
    const needs_you = Math.max(0, this.status.needs_you + (waits ? delta : 0));
    this.status = { ...this.status, unread, needs_you };
    this.setTitle(needs_you);
  }

  /** The title counts the replies waiting for the user, as the window's own title and the tray do. */
  private setTitle(waiting: number): void {
    const name = this.status?.demo ? "Leadbell (demo)" : "Leadbell";
    setTitle(waiting > 0 ? `(${waiting}) ${name}` : name);
  }

  private campaignsAsked = false;

  /** Adds the live campaign list (GET /api/campaigns) to the names seen; once per page. */
  async loadCampaigns(): Promise<void> {
    if (this.campaignsAsked) return;
    this.campaignsAsked = true;
    try {
      const res = await api.campaigns();
      for (const c of res.campaigns ?? []) if (c.id) this.campaigns.set(String(c.id), c.name || String(c.id));
    } catch {
      // SmartLead is unreachable, or Leadbell is signed out: the names seen in events do.
    }
  }

  /** Closes the stream and cancels a pending reopen. */
  private close(): void {
    window.clearTimeout(this.reopenTimer);
    this.reopenTimer = 0;
    this.source?.close();
    this.source = null;
    this.streaming = false;
  }

  private open(): void {
    // EventSource resends Last-Event-ID by itself while it reconnects; when
    // it gives up (the server answered an error), reopen with ?since=.
    const url = this.lastID ? `/api/stream?since=${encodeURIComponent(this.lastID)}` : "/api/stream";
    const es = new EventSource(url);
    this.source = es;
    es.onopen = () => {
      this.streaming = true;
    };
    es.addEventListener("ready", (msg) => {
      this.streaming = true;
      if (msg.lastEventId) this.lastID = msg.lastEventId;
      for (const fn of this.readyListeners) fn();
      void this.refreshStatus();
    });
    es.addEventListener("deleted", (msg) => {
      try {
        const { id } = JSON.parse(msg.data) as { id?: unknown };
        if (typeof id === "string") this.deleted(id);
      } catch {
        // not ours
      }
    });
    es.addEventListener("updated", (msg) => {
      try {
        this.updated(JSON.parse(msg.data) as LeadEvent);
      } catch {
        // not ours
      }
    });
    es.addEventListener("event", (msg) => {
      let ev: LeadEvent;
      try {
        ev = JSON.parse(msg.data) as LeadEvent;
      } catch {
        return;
      }
      if (msg.lastEventId) this.lastID = msg.lastEventId;
      this.deliver(ev);
    });
    es.onerror = () => {
      if (this.source !== es) return;
      this.streaming = false;
      void this.refreshStatus();
      if (es.readyState === EventSource.CLOSED) {
        window.clearTimeout(this.reopenTimer);
        this.reopenTimer = window.setTimeout(() => this.open(), 2000);
      }
    };
  }

  private deliver(ev: LeadEvent): void {
    if (!ev || typeof ev.id !== "string" || !ev.id) return;
    if (ev.campaign_id && ev.campaign_name && !this.campaigns.has(ev.campaign_id)) {
      this.campaigns.set(ev.campaign_id, ev.campaign_name);
    }
    for (const fn of this.eventListeners) fn(ev);
    this.refreshStatusSoon();
  }
}

/**
 * Whether an unread ev counts among the replies waiting for the user
 * (status.needs_you): a reply in the inbox (not done, not snoozed) that is
 * not an out-of-office or automatic answer.
 */
function waitsForUser(ev: LeadEvent): boolean {
  return ev.type === "EMAIL_REPLIED" && !ev.done && !ev.snoozed_until && ev.triage !== "out_of_office" && ev.triage !== "auto_reply";
}
