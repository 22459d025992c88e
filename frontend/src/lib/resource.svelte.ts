// One thing a component fetches from the local API: the answer, whether a
// fetch is on its way, and why the last one failed, in words for the user.
// The fetch runs in an effect: the reactive values it reads before its
// first await are its inputs, and a change to one drops the fetch on its
// way (its AbortSignal fires) and starts another. Leaving the component
// drops it too.

import { errorText } from "./api";

export interface ResourceOptions<T> {
  /** What to say when a failure has no sentence of its own, such as "Could not load the timeline." */
  fallback?: string;
  /** Called with each answer as it becomes value. */
  onLoad?: (value: T) => void;
}

/** What resource() returns; value can be set, to show a save's answer. */
export class Resource<T> {
  /** The last answer; undefined until the first. */
  value = $state.raw<T | undefined>(undefined);
  /** True while a fetch is on its way. */
  loading = $state(true);
  /** Why the last fetch failed, a sentence for the user; "" once one succeeds. */
  error = $state("");

  readonly #fetch: (signal: AbortSignal) => Promise<T>;
  readonly #options: ResourceOptions<T>;
  /** The fetch on its way, if any. */
  #pending: AbortController | null = null;

  constructor(fetch: (signal: AbortSignal) => Promise<T>, options: ResourceOptions<T> = {}) {
    this.#fetch = fetch;
    this.#options = options;
    $effect(() => {
      void this.#load(false);
      return () => {
        this.#pending?.abort();
        this.#pending = null;
      };
    });
  }

  /** Fetches again now, dropping a fetch on its way; error is cleared until the answer. */
  reload(): Promise<void> {
    return this.#load(false);
  }

  /**
   * Fetches again unless a fetch is on its way, for polling: what is shown
   * (value and error) stays until the answer replaces it.
   */
  refresh(): Promise<void> {
    return this.#pending ? Promise.resolve() : this.#load(true);
  }

  #load(keepError: boolean): Promise<void> {
    this.#pending?.abort();
    const ctl = new AbortController();
    this.#pending = ctl;
    this.loading = true;
    if (!keepError) this.error = "";
    let answer: Promise<T>;
    try {
      answer = this.#fetch(ctl.signal);
    } catch (err) {
      answer = Promise.reject(err);
    }
    return answer.then(
      (value) => {
        if (!this.#settle(ctl)) return;
        this.value = value;
        this.error = "";
        this.#options.onLoad?.(value);
      },
      (err: unknown) => {
        if (this.#settle(ctl)) this.error = errorText(err, this.#options.fallback);
      },
    );
  }

  /** Whether ctl's answer is still wanted; if so, no fetch is on its way any more. */
  #settle(ctl: AbortController): boolean {
    if (ctl !== this.#pending || ctl.signal.aborted) return false;
    this.#pending = null;
    this.loading = false;
    return true;
  }
}

/**
 * Fetches with fetch(signal) now and again whenever the reactive values it
 * reads change; call it while a component is being set up.
 */
export function resource<T>(fetch: (signal: AbortSignal) => Promise<T>, options?: ResourceOptions<T>): Resource<T> {
  return new Resource(fetch, options);
}
