// What Leadbell makes of a reply (its triage): the classes in words, and
// the account's SmartLead category that accepting the suggestion sets.

import type { LeadEvent } from "../api";

/** The classes, in the order they are offered (the server's event.TriageClasses). */
export const TRIAGE_CLASSES = ["interested", "question", "not_now", "not_interested", "unsubscribe", "out_of_office", "wrong_person", "auto_reply"] as const;

const LABELS: Record<string, string> = {
  interested: "Interested",
  question: "Question",
  not_now: "Not now",
  not_interested: "Not interested",
  unsubscribe: "Wants to unsubscribe",
  out_of_office: "Out of office",
  wrong_person: "Wrong person",
  auto_reply: "Automatic reply",
};

/** A class in words: "Not now"; one this version does not know, as it comes. */
export function triageLabel(cls: string): string {
  const known = LABELS[cls];
  if (known) return known;
  const words = cls.replace(/_+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The SmartLead category that matches each class; not_now and auto_reply
// have none.
const CATEGORIES: Record<string, string> = {
  interested: "Interested",
  question: "Information Request",
  not_interested: "Not Interested",
  unsubscribe: "Do Not Contact",
  out_of_office: "Out Of Office",
  wrong_person: "Wrong Person",
};

/**
 * The account's category that matches what Leadbell thinks of ev, by name
 * as the account spells it (names: the account's categories), or "" when
 * there is none: "Meeting Request" for an interested lead whose reason
 * mentions a meeting, when the account has it.
 */
export function suggestedCategory(ev: LeadEvent, names: readonly string[]): string {
  const cls = ev.triage ?? "";
  const find = (want: string) => names.find((n) => n.trim().toLowerCase() === want.toLowerCase()) ?? "";
  if (cls === "interested" && /\bmeet(ing)?s?\b/i.test(ev.triage_reason ?? "")) {
    const meeting = find("Meeting Request");
    if (meeting) return meeting;
  }
  const want = CATEGORIES[cls];
  return want ? find(want) : "";
}

/** Whether a class can have a category at all (not "Not now" or an automatic reply). */
export function hasCategory(cls: string): boolean {
  return cls in CATEGORIES;
}
