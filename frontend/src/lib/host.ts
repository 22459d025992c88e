// The few things that differ between the Wails window and a browser: live
// events, the window title, the clipboard and opening links. In the window,
// Wails injects window.runtime; in a browser it is absent.

interface WailsRuntime {
  EventsOn?: (name: string, cb: (...data: unknown[]) => void) => () => void;
  WindowSetTitle?: (title: string) => void;
  BrowserOpenURL?: (url: string) => void;
  ClipboardSetText?: (text: string) => Promise<boolean>;
}

/** The Wails event the Go side emits for each newly stored event (data: the Event). */
export const WAILS_EVENT = "leadbell:event";

/** The Wails event for an event changed after it was stored (done, snoozed, back from a snooze; data: the Event), as the stream's "updated". */
export const WAILS_UPDATED = "leadbell:updated";

function runtime(): WailsRuntime | undefined {
  return (window as unknown as { runtime?: WailsRuntime }).runtime;
}

/** Whether this page runs in Leadbell's window (rather than a browser). */
export function inWindow(): boolean {
  return typeof runtime()?.EventsOn === "function";
}

/** Subscribes to a Wails event (new events by default) when running in the window; a no-op in a browser. */
export function onWailsEvent(cb: (data: unknown) => void, name = WAILS_EVENT): () => void {
  const rt = runtime();
  if (typeof rt?.EventsOn !== "function") return () => {};
  return rt.EventsOn(name, (data) => cb(data));
}

export function setTitle(title: string): void {
  if (document.title !== title) document.title = title;
  runtime()?.WindowSetTitle?.(title);
}

/** Opens an http(s) URL outside the app: the system browser in the window, a new tab in a browser. */
export function openExternal(url: string, ev?: MouseEvent): void {
  const rt = runtime();
  if (typeof rt?.BrowserOpenURL === "function") {
    ev?.preventDefault();
    rt.BrowserOpenURL(url);
  }
  // In a browser the link's own target=_blank rel="noopener noreferrer" does it.
}

/** Copies text; true if it worked. */
export async function copyText(text: string): Promise<boolean> {
  const rt = runtime();
  if (typeof rt?.ClipboardSetText === "function") {
    try {
      if (await rt.ClipboardSetText(text)) return true;
    } catch {
      // fall through to the browser's clipboard
    }
  }
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older webviews: a selected, off-screen textarea and execCommand.
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "offscreen";
    document.body.append(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}
