// One cursor-paged, live list of events (the inbox, the activity feed): the
// pages fetched so far plus the live events that belong in them, newest
// first, each id once. Work is proportional to what has been fetched, never to
// the whole store.

import { api, errorText, type EventQuery, type LeadEvent } from "./api";
import { newerFirst } from "./format";
import type { Live } from "./live.svelte";

const PAGE = 100;
const LOAD_FAILED = "Something went wrong while loading events.";

export type Filter = Pick<EventQuery, "type" | "campaign" | "lead" | "q" | "unread" | "done" | "snoozed" | "category" | "triage">;

export class EventList {
  /** The events fetched or received so far, in list order. */
  items = $state.raw<LeadEvent[]>([]);
  /** The filter in force. */
  filter = $state.raw<Filter>({});
  /** The selected event's id, or "". */
  selectedID = $state("");
  /** True while the first page is on its way. */
  loading = $state(false);
  /** True while a further page is on its way. */
  loadingMore = $state(false);
  /** Why the last fetch failed, or "". */
  error = $state("");
  /** True once a first page has come back for the current filter. */
  loaded = $state(false);
  /** True when there is no further page. */
  exhausted = $state(false);

  private readonly live: Live;
  private readonly base: Filter;
  private next = "";
  private ids = new Set<string>();
  private gen = 0;
  // Not a resource(): pages are fetched on demand and merged with live
  // events, so a generation number says which answers still count.
  private abort: AbortController | null = null;
  private wanted = false;
  private refreshAfterLoad = false;

  constructor(live: Live, base: Filter = {}) {
    this.live = live;
    this.base = base;
    this.filter = { ...base };
    live.onEvent((ev) => {
      if (ev.type === "LEAD_CATEGORY_UPDATED") this.recategorize(ev);
      this.accept(ev);
    });
    live.onDeleted((id) => this.remove(id));
    live.onUpdated((ev) => this.update(ev));
    live.onReady(() => void this.refresh());
  }

  /** The selected event, if it is in the list. */
  get selected(): LeadEvent | undefined {
    const id = this.selectedID;
    return id ? this.items.find((e) => e.id === id) : undefined;
  }

  /** Index of the selected event, or -1. */
  selectedIndex(): number {
    const id = this.selectedID;
    return id ? this.items.findIndex((e) => e.id === id) : -1;
  }

  /**
   * Makes sure the list is fetched. The first page is asked for right away,
   * in parallel with the stream's start, for a fast first paint; when the
   * stream says "ready" the first page is fetched once more and merged by
   * id, so an event stored between the two is not lost.
   */
  ensure(): void {
    this.wanted = true;
    if (this.loaded || this.loading || this.error) return;
    void this.reload();
  }

  /** Replaces the filter (the base filter always applies) and fetches anew. */
  setFilter(f: Filter): void {
    const next = { ...f, ...this.base };
    if (sameFilter(next, this.filter)) return this.ensure();
    this.filter = next;
    this.wanted = true;
    void this.reload();
  }

  /** Drops what was fetched and fetches the first page. */
  async reload(): Promise<void> {
    this.abort?.abort();
    const gen = ++this.gen;
    this.refreshAfterLoad = false;
    const ctl = new AbortController();
    this.abort = ctl;
    this.loading = true;
    this.loadingMore = false;
    this.loaded = false;
    this.exhausted = false;
    this.error = "";
    this.next = "";
    this.ids = new Set();
    this.items = [];
    try {
      const page = await api.events({ ...this.filter, limit: PAGE }, ctl.signal);
      if (gen !== this.gen) return;
      // Live events that arrived while the page was on its way are kept.
      this.merge(page.events ?? []);
      this.next = page.next ?? "";
      this.exhausted = !this.next;
      this.loaded = true;
      if (this.refreshAfterLoad) {
        this.refreshAfterLoad = false;
        void this.refresh();
      }
    } catch (err) {
      if (gen !== this.gen || isAbort(err)) return;
      this.error = errorText(err, LOAD_FAILED);
    } finally {
      if (gen === this.gen) this.loading = false;
    }
  }

  /**
   * After the stream is (re)established: fetch the first page and merge it
   * in by id, keeping the pages already fetched and the cursor.
   */
  async refresh(): Promise<void> {
    if (!this.wanted) return;
    if (this.loading) {
      // The first page is on its way: merge a fresh copy once it is here.
      this.refreshAfterLoad = true;
      return;
    }
    if (!this.loaded || this.error) return this.reload();
    const gen = this.gen;
    try {
      const page = await api.events({ ...this.filter, limit: PAGE });
      if (gen !== this.gen) return;
      this.merge(page.events ?? [], true);
    } catch (err) {
      if (gen !== this.gen) return;
      this.error = errorText(err, LOAD_FAILED);
    }
  }

  /** Fetches the next page, if there is one and none is on its way. */
  async loadMore(): Promise<void> {
    if (!this.loaded || this.exhausted || this.loadingMore || this.loading || !this.next || this.error) return;
    const gen = this.gen;
    this.loadingMore = true;
    try {
      const page = await api.events({ ...this.filter, limit: PAGE, before: this.next }, this.abort?.signal);
      if (gen !== this.gen) return;
      this.merge(page.events ?? []);
      this.next = page.next ?? "";
      this.exhausted = !this.next;
    } catch (err) {
      if (gen !== this.gen || isAbort(err)) return;
      this.error = errorText(err, LOAD_FAILED);
    } finally {
      if (gen === this.gen) this.loadingMore = false;
    }
  }

  /** Retries whatever failed last. */
  retry(): void {
    if (!this.loaded) {
      void this.reload();
    } else {
      this.error = "";
      void this.loadMore();
    }
  }

  /** Takes a live event if it matches the filter and falls within what is fetched. */
  accept(ev: LeadEvent): void {
    if (this.ids.has(ev.id) || !matches(ev, this.filter)) return;
    const items = this.items;
    // An event older than the last one fetched belongs to a later page:
    // paging brings it in its place.
    if (this.loaded && !this.exhausted && items.length > 0 && newerFirst(ev, items[items.length - 1]) > 0) return;
    this.merge([ev]);
  }

  /**
   * Takes a deleted event out of the list. When it was selected, the
   * selection moves to the row that takes its place (the last row when it
   * was the last). Its id stays known, so a page already on its way does
   * not bring it back.
   */
  remove(id: string): void {
    this.dropWhere((e) => e.id === id);
  }

  /**
   * Takes an event as it is now (marked done, snoozed, back from a
   * snooze): its row is refreshed in place, leaves when it no longer fits
   * the filter (the selection moving on, as for a delete), or joins in its
   * time order when it has come to fit (a reply back from a snooze).
   */
  update(ev: LeadEvent): void {
    const fits = matches(ev, this.filter);
    if (!this.ids.has(ev.id)) {
      if (fits) this.accept(ev);
      return;
    }
    if (!fits) {
      // Forgotten, so that it can come back (moved back to the inbox).
      this.dropWhere((e) => e.id === ev.id, true);
      return;
    }
    this.items = this.items.map((e) => (e.id === ev.id ? ev : e));
  }

  /**
   * A lead's category changed (in SmartLead, here, or in another window):
   * every row of the lead shows the new one. Under a category filter, its
   * rows leave when the new one is another, and are fetched when it is the
   * one asked for.
   */
  private recategorize(change: LeadEvent): void {
    const lead = change.lead_id;
    if (!lead) return;
    const name = change.category?.trim() ?? "";
    const want = this.filter.category;
    const ofLead = (e: LeadEvent) => e.lead_id === lead && e.type !== "LEAD_CATEGORY_UPDATED";
    if (want && name !== want) {
      this.dropWhere(ofLead, true);
      return;
    }
    if (this.items.some((e) => ofLead(e) && (e.category ?? "") !== name)) {
      this.items = this.items.map((e) => (ofLead(e) && (e.category ?? "") !== name ? { ...e, category: name || undefined } : e));
    }
    if (want) void this.refresh();
  }

  /**
   * Takes the rows for which gone is true out of the list. When the
   * selected one goes, the selection moves to the row that takes its place
   * (the last row when it was the last). A deleted event's id stays known,
   * so a page already on its way does not bring it back; with forget, it
   * may come back.
   */
  private dropWhere(gone: (e: LeadEvent) => boolean, forget = false): void {
    const cur = this.items;
    const out: LeadEvent[] = [];
    let sel = -1;
    let first = -1;
    for (const e of cur) {
      if (!gone(e)) {
        out.push(e);
        continue;
      }
      if (first < 0) first = out.length;
      if (e.id === this.selectedID) sel = out.length;
      if (forget) this.ids.delete(e.id);
    }
    if (first < 0) return;
    this.items = out;
    if (sel >= 0) this.selectedID = out.length ? out[Math.min(sel, out.length - 1)].id : "";
    if (first >= out.length - 10) void this.loadMore();
  }

  /** Moves the selection by delta rows; returns the new index. */
  move(delta: number): number {
    const items = this.items;
    if (items.length === 0) return -1;
    let i = this.selectedIndex();
    i = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + delta));
    this.selectedID = items[i].id;
    if (i >= items.length - 10) void this.loadMore();
    return i;
  }

  /**
   * Merges sorted or unsorted events into the list in order, each id once;
   * with replace, events already present are replaced by the fresh copy.
   */
  private merge(evs: LeadEvent[], replace = false): void {
    const fresh: LeadEvent[] = [];
    const replaced = new Map<string, LeadEvent>();
    for (const ev of evs) {
      if (!ev || typeof ev.id !== "string") continue;
      if (this.ids.has(ev.id)) {
        if (replace) replaced.set(ev.id, ev);
        continue;
      }
      this.ids.add(ev.id);
      fresh.push(ev);
      if (ev.campaign_id && ev.campaign_name && !this.live.campaigns.has(ev.campaign_id)) {
        this.live.campaigns.set(ev.campaign_id, ev.campaign_name);
      }
    }
    if (fresh.length === 0 && replaced.size === 0) return;
    let cur = this.items;
    if (replaced.size > 0) {
      cur = cur.map((e) => replaced.get(e.id) ?? e);
      for (const id of replaced.keys()) this.live.reads.delete(id);
    }
    if (fresh.length === 0) {
      this.items = cur;
      return;
    }
    fresh.sort(newerFirst);
    // Fast paths: all older than the tail (paging) or one event (live).
    if (cur.length === 0 || newerFirst(cur[cur.length - 1], fresh[0]) <= 0) {
      this.items = cur.concat(fresh);
      return;
    }
    if (fresh.length === 1) {
      const at = insertionPoint(cur, fresh[0]);
      const out = cur.slice();
      out.splice(at, 0, fresh[0]);
      this.items = out;
      return;
    }
    const out: LeadEvent[] = new Array(cur.length + fresh.length);
    let i = 0,
      j = 0,
      k = 0;
    while (i < cur.length && j < fresh.length) out[k++] = newerFirst(cur[i], fresh[j]) <= 0 ? cur[i++] : fresh[j++];
    while (i < cur.length) out[k++] = cur[i++];
    while (j < fresh.length) out[k++] = fresh[j++];
    this.items = out;
  }
}

function insertionPoint(list: LeadEvent[], ev: LeadEvent): number {
  let lo = 0,
    hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (newerFirst(list[mid], ev) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether ev belongs in a list with filter f (the server's rules, for live events). */
export function matches(ev: LeadEvent, f: Filter): boolean {
  if (f.type && ev.type !== f.type) return false;
  if (f.campaign && ev.campaign_id !== f.campaign) return false;
  if (f.lead && ev.lead_id !== f.lead) return false;
  if (f.unread && ev.read) return false;
  if (f.done !== undefined && !!ev.done !== f.done) return false;
  if (f.snoozed !== undefined && !!ev.snoozed_until !== f.snoozed) return false;
  if (f.category && (ev.category ?? "") !== f.category) return false;
  if (f.triage && (ev.triage ?? "") !== (f.triage === "none" ? "" : f.triage)) return false;
  const q = f.q?.trim().toLowerCase();
  if (q) {
    const hay = [ev.lead_name, ev.lead_email, ev.company, ev.campaign_name, ev.subject, ev.body?.slice(0, 4096)]
      .filter(Boolean)
      .join("\n")
      .toLowerCase();
    for (const word of q.split(/\s+/)) if (!hay.includes(word)) return false;
  }
  return true;
}

function sameFilter(a: Filter, b: Filter): boolean {
  return (
    (a.type ?? "") === (b.type ?? "") &&
    (a.campaign ?? "") === (b.campaign ?? "") &&
    (a.lead ?? "") === (b.lead ?? "") &&
    (a.q ?? "").trim() === (b.q ?? "").trim() &&
    !!a.unread === !!b.unread &&
    a.done === b.done &&
    a.snoozed === b.snoozed &&
    (a.category ?? "") === (b.category ?? "") &&
    (a.triage ?? "") === (b.triage ?? "")
  );
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}
