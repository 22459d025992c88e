// An answer to one reply, from the first key typed to SmartLead's answer.
// The draft is kept on the server as it is typed (600 ms after the typing
// stops, and when the pane closes), so nothing is lost to a closed pane,
// window or restart. Send hands it to the outbox, where it waits out the
// undo window; then it is followed (GET /api/outbox/{id}, every 700 ms, for
// a minute at most) until it is sent or fails. One Send is one answer: the
// button does nothing while an answer is on its way.

import { api, ApiError, errorText, type Draft, type Outbox } from "../api";

/** Where the answer is: being written, handed to the outbox, in its undo window, or leaving. */
export type Phase = "idle" | "posting" | "waiting" | "sending";

const SAVE_AFTER_MS = 600;
const POLL_MS = 700;
const FOLLOW_FOR_MS = 60_000;

export class Compose {
  /** Whether the reply box is open. */
  open = $state(false);
  body = $state("");
  cc = $state("");
  bcc = $state("");
  signature = $state(true);
  /** Whether the Cc and Bcc fields show. */
  showCopies = $state(false);
  phase = $state<Phase>("idle");
  /** When the answer in its undo window leaves (ms). */
  sendAt = $state(0);
  /** True while Undo is on its way. */
  undoing = $state(false);
  /** Why the answer was not sent, or a save failed: a sentence. */
  problem = $state("");
  /** A calm word on what happened ("Not sent..."), or "". */
  note = $state("");
  /** True once the answer is sent (until the box is opened again). */
  sent = $state(false);
  /** When the draft was last kept (ms), 0 when it is not. */
  savedAt = $state(0);
  /** True when the answer on its way was sent before this pane opened (not by a Send here). */
  resumed = $state(false);
  /** The newest answer, if it failed while this pane was not open. */
  lastFailed = $state.raw<Outbox | null>(null);

  readonly #eventID: string;
  readonly #onSent: () => void;
  #dirty = false;
  #touched = false;
  #timer = 0;
  #saving: Promise<void> = Promise.resolve();
  #follow: AbortController | null = null;
  #outboxID = "";

  constructor(eventID: string, onSent: () => void) {
    this.#eventID = eventID;
    this.#onSent = onSent;
  }

  /** Takes the draft kept on the server, unless typing began before it came. */
  adoptDraft(d: Draft | null): void {
    if (!d || this.#touched || this.phase !== "idle") return;
    this.body = d.body ?? "";
    this.cc = (d.cc ?? []).join(", ");
    this.bcc = (d.bcc ?? []).join(", ");
    this.signature = d.signature;
    this.showCopies = !!(this.cc || this.bcc);
    this.savedAt = Date.parse(d.saved_at) || 0;
    if (this.body.trim() || this.showCopies) this.open = true;
  }

  /** Picks up the newest answer to this reply: still on its way, it is followed; failed, it is said. */
  resume(list: Outbox[]): void {
    const last = [...list].sort((a, b) => Date.parse(b.send_at) - Date.parse(a.send_at))[0];
    if (!last || this.phase !== "idle") return;
    if (last.state === "waiting" || last.state === "sending") {
      this.resumed = true;
      this.#show(last);
      this.open = true;
      this.#track(last);
    } else if (last.state === "failed") {
      this.lastFailed = last;
    }
  }

  /** Puts a failed answer back in the box, to send again. */
  retryFailed(): void {
    const o = this.lastFailed;
    if (!o || this.phase !== "idle") return;
    this.lastFailed = null;
    this.#show(o);
    this.problem = o.problem || "Leadbell could not send this answer.";
    this.open = true;
    this.edited();
  }

  /** Called on every edit: the draft is kept once the typing stops. */
  edited(): void {
    this.#touched = true;
    this.#dirty = true;
    this.sent = false;
    window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => void this.flush(), SAVE_AFTER_MS);
  }

  /** Keeps the draft now if it changed (keepalive: the page is going). */
  flush(keepalive = false): Promise<void> {
    window.clearTimeout(this.#timer);
    if (!this.#dirty || this.phase !== "idle") return this.#saving;
    this.#dirty = false;
    const d = { body: this.body, cc: this.cc, bcc: this.bcc, signature: this.signature };
    this.#saving = this.#saving
      .then(() => api.saveDraft(this.#eventID, d, keepalive))
      .then(
        () => {
          this.savedAt = Date.now();
        },
        () => {
          this.#dirty = true;
          this.savedAt = 0;
        },
      );
    return this.#saving;
  }

  /** Hands the answer to the outbox; nothing happens while one is on its way. */
  async send(): Promise<void> {
    if (this.phase !== "idle") return;
    const body = this.body;
    if (!body.trim()) {
      this.problem = "Write something before sending.";
      return;
    }
    this.phase = "posting";
    this.resumed = false;
    this.problem = "";
    this.note = "";
    this.lastFailed = null;
    window.clearTimeout(this.#timer);
    const changed = this.#dirty;
    this.#dirty = false;
    // A save on its way lands first: the answer then drops the draft.
    await this.#saving;
    try {
      const o = await api.answer(this.#eventID, { body, cc: this.cc, bcc: this.bcc, signature: this.signature });
      this.savedAt = 0; // the outbox has it: the server dropped the draft
      this.#track(o);
    } catch (err) {
      this.phase = "idle";
      this.problem = errorText(err, "Could not send that. Try again.");
      if (changed) {
        this.#dirty = true;
        void this.flush();
      }
    }
  }

  /** Takes the answer back during its undo window; true when it was. */
  async undo(): Promise<boolean> {
    if (this.phase !== "waiting" || this.undoing) return false;
    this.undoing = true;
    try {
      const o = await api.cancelAnswer(this.#outboxID);
      this.#follow?.abort();
      this.phase = "idle";
      if (!this.body.trim()) this.#show(o);
      this.note = "Not sent. Your answer is back in the box.";
      this.#dirty = true;
      void this.flush();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === "too_late") this.note = "Too late to undo: the answer has already left.";
      else this.problem = errorText(err, "Could not undo. Try again.");
      return false;
    } finally {
      this.undoing = false;
    }
  }

  /** Closes the box; the draft stays. */
  close(): void {
    if (this.phase !== "idle") return;
    void this.flush();
    this.open = false;
  }

  /** Empties the box and forgets the draft. */
  async discard(): Promise<void> {
    if (this.phase !== "idle") return;
    window.clearTimeout(this.#timer);
    this.#dirty = false;
    this.#touched = true;
    this.body = this.cc = this.bcc = "";
    this.showCopies = false;
    this.problem = this.note = "";
    this.savedAt = 0;
    this.open = false;
    await this.#saving;
    await api.dropDraft(this.#eventID).catch(() => {});
  }

  /** The pane is closing: stop following (the answer still goes) and keep the draft. */
  dispose(): void {
    this.#follow?.abort();
    void this.flush(true);
  }

  #show(o: Outbox): void {
    this.body = o.body;
    this.cc = (o.cc ?? []).join(", ");
    this.bcc = (o.bcc ?? []).join(", ");
    this.showCopies = !!(this.cc || this.bcc);
  }

  /** Follows answer o until it is sent, fails or is taken back. */
  #track(o: Outbox): void {
    this.#follow?.abort();
    const ctl = new AbortController();
    this.#follow = ctl;
    this.#outboxID = o.outbox_id;
    this.sendAt = Date.parse(o.send_at) || Date.now();
    this.phase = o.state === "waiting" ? "waiting" : "sending";
    void this.#poll(o, ctl.signal);
  }

  async #poll(o: Outbox, signal: AbortSignal): Promise<void> {
    if (o.state === "waiting") await sleep(this.sendAt - Date.now(), signal);
    const deadline = Math.max(Date.now(), this.sendAt) + FOLLOW_FOR_MS;
    let cur = o;
    while (cur.state === "waiting" || cur.state === "sending") {
      if (signal.aborted) return;
      if (Date.now() > deadline) {
        this.note = "This is taking longer than usual. Leadbell keeps at it: the answer shows in the timeline once it has left.";
        return;
      }
      if (Date.now() >= this.sendAt) this.phase = "sending";
      await sleep(POLL_MS, signal);
      if (signal.aborted) return;
      try {
        cur = await api.outboxEntry(o.outbox_id, signal);
      } catch {
        if (signal.aborted) return; // otherwise try again: Leadbell may be busy for a moment
      }
    }
    if (signal.aborted) return;
    this.#settle(cur);
  }

  #settle(o: Outbox): void {
    this.phase = "idle";
    if (o.state === "sent") {
      this.body = this.cc = this.bcc = "";
      this.showCopies = false;
      this.problem = this.note = "";
      this.savedAt = 0;
      this.open = false;
      this.sent = true;
      this.#onSent();
      return;
    }
    // Failed or taken back (in another window): the text stays, and is kept as a draft again.
    if (o.state === "failed") this.problem = o.problem || "Leadbell could not send this answer. Try again.";
    else this.note = "Not sent. Your answer is back in the box.";
    if (!this.body.trim()) this.#show(o);
    this.#dirty = true;
    void this.flush();
  }
}

/** Resolves after ms, or at once when signal is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = window.setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      window.clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
