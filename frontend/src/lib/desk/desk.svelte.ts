// The reply desk's shared state and actions: the account's categories,
// setting a lead's category, marking a reply done, snoozing it. Each
// action passes the server's answer on through Live, so every list and
// pane in this window follows at once (other windows hear the stream).

import { api, errorText, type Category, type LeadEvent } from "../api";
import type { Live } from "../live.svelte";

export class Desk {
  /** The account's lead categories, in SmartLead's order; empty until loaded. */
  categories = $state.raw<Category[]>([]);
  /** True once categories came back. */
  categoriesLoaded = $state(false);
  /** Why they could not be read, a sentence; "" when they could. */
  categoriesError = $state("");

  readonly #live: Live;
  #asking: Promise<void> | null = null;

  constructor(live: Live) {
    this.#live = live;
  }

  /** Reads the categories once per page (again after a failure, or with force). */
  loadCategories(force = false): Promise<void> {
    if (this.#asking) return this.#asking;
    if (this.categoriesLoaded && !force) return Promise.resolve();
    this.#asking = api
      .categories()
      .then(
        (res) => {
          this.categories = res.categories ?? [];
          this.categoriesLoaded = true;
          this.categoriesError = "";
        },
        (err: unknown) => {
          this.categoriesError = errorText(err, "Could not read your SmartLead categories.");
        },
      )
      .finally(() => (this.#asking = null));
    return this.#asking;
  }

  /** Sets the lead's category in SmartLead ("" clears it), pausing its sequence if asked. */
  async setCategory(ev: LeadEvent, name: string, pause: boolean): Promise<void> {
    if (!ev.lead_id) return;
    const change = await api.setCategory(ev.lead_id, name, pause);
    this.#live.received(change);
  }

  /** Marks a reply done (it leaves the inbox and its count), or moves it back to the inbox. */
  async setDone(ev: LeadEvent, done: boolean): Promise<void> {
    this.#live.updated(await api.setDone(ev.id, done));
  }

  /** Snoozes a reply until a time (it comes back unread then), or ends its snooze with null. */
  async snooze(ev: LeadEvent, until: Date | null): Promise<void> {
    this.#live.updated(await api.snooze(ev.id, until ? until.toISOString() : null));
  }
}
