// When a snoozed reply comes back: the menu's choices, worked out from now
// in local time.

export interface SnoozeChoice {
  id: "later" | "tomorrow" | "next-week";
  label: string;
  at: Date;
}

/** Later today (three hours on), tomorrow at 8:00, next Monday at 8:00. */
export function snoozeChoices(now: Date): SnoozeChoice[] {
  const later = new Date(now.getTime() + 3 * 3_600_000);
  later.setSeconds(0, 0);
  const tomorrow = morning(now, 1);
  // Next week's Monday: from a Monday, the one after.
  const toMonday = ((8 - now.getDay()) % 7) || 7;
  return [
    { id: "later", label: later.getDate() === now.getDate() ? "Later today" : "In 3 hours", at: later },
    { id: "tomorrow", label: "Tomorrow morning", at: tomorrow },
    { id: "next-week", label: "Next week", at: morning(now, toMonday) },
  ];
}

/** 8:00 on the day days after now's. */
function morning(now: Date, days: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 8, 0, 0, 0);
}

/** A Date as a datetime-local input's value: 2027-03-09T08:00 (local time). */
export function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
