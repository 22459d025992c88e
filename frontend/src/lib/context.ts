// The app's shared state, handed to screens through Svelte context.

import { getContext, setContext } from "svelte";
import type { Desk } from "./desk/desk.svelte";
import type { EventList } from "./eventlist.svelte";
import type { Live } from "./live.svelte";

export interface AppContext {
  live: Live;
  inbox: EventList;
  activity: EventList;
  /** The reply desk: categories, done, snooze. */
  desk: Desk;
  navigate: (route: Route) => void;
  /** Shows the welcome screen (sign in, or try the demo) again. */
  showWelcome: () => void;
  /** Shows the "Make this computer reachable" panel (in the inbox) again. */
  showReach: () => void;
}

export const ROUTES = ["inbox", "activity", "overview", "inspector", "settings"] as const;
export type Route = (typeof ROUTES)[number];

const KEY = Symbol("leadbell");

export function provideApp(ctx: AppContext): void {
  setContext(KEY, ctx);
}

export function useApp(): AppContext {
  return getContext<AppContext>(KEY);
}

/** The route in location.hash (#/activity), inbox by default. */
export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : "inbox";
}
