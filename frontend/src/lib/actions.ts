// Svelte actions. The CSP forbids style attributes (style-src 'self'), so
// geometry is set through the CSSOM, which the CSP allows.

import type { Action } from "svelte/action";
import { fullTime } from "./format";

/** Sets CSS properties (custom properties included) on the element through element.style. */
export const css: Action<HTMLElement | SVGElement, Record<string, string | number>> = (node, props) => {
  let prev: Record<string, string | number> = {};
  const apply = (next: Record<string, string | number>) => {
    for (const k of Object.keys(prev)) if (!(k in next)) node.style.removeProperty(k);
    for (const [k, v] of Object.entries(next)) if (prev[k] !== v) node.style.setProperty(k, String(v));
    prev = { ...next };
  };
  apply(props);
  return { update: apply };
};

/** Sets the title (a tooltip of the full time) only when the pointer comes, so long lists format nothing up front. */
export const timeTitle: Action<HTMLElement, number> = (node, t) => {
  let current = t;
  const onEnter = () => {
    node.title = current ? fullTime(current) : "";
  };
  node.addEventListener("pointerenter", onEnter);
  return {
    update(next: number) {
      current = next;
    },
    destroy() {
      node.removeEventListener("pointerenter", onEnter);
    },
  };
};
