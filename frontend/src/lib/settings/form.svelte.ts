// The part of the settings edited on the page and saved with "Save
// settings": which campaigns and how Leadbell connects to them, the events
// to receive, notifications and how long history is kept. (How SmartLead
// reaches this computer is saved on its own, by ReachForm: saving it
// restarts the connection.)

import { ALL_TYPES, api, errorText, EVENT_TYPES, type EventType, type ScopeLevel, type Settings, type SettingsUpdate } from "../api";

/** A save's outcome, for the save bar. */
export interface SaveMessage {
  tone: "ok" | "bad";
  text: string;
}

export class SettingsForm {
  scopeLevel = $state<ScopeLevel>("campaigns");
  clientID = $state("");
  /** All campaigns, or only scopeCampaigns (with one connection per campaign). */
  scopeAll = $state(true);
  scopeCampaigns = $state<string[]>([]);
  events = $state<EventType[]>([...EVENT_TYPES]);
  notifyTypes = $state<Partial<Record<EventType, boolean>>>({});
  quietEnabled = $state(false);
  quietStart = $state("22:00");
  quietEnd = $state("07:00");
  sound = $state(true);
  /**
   * How replies pop up by what Leadbell thinks of them (class -> "now",
   * "normal", "silent" or "never"), as loaded: null keeps the server's
   * defaults. Classes this version does not know are kept and saved back.
   */
  triagePops = $state.raw<Record<string, string> | null>(null);
  /** Lets the "now" replies through the quiet hours. */
  urgentInQuietHours = $state(false);
  // Days kept; 0 is forever. Defaults as the server's (settings.Default).
  keepSent = $state(90);
  keepOpened = $state(90);
  keepClicked = $state(180);

  /** True while a save is on its way. */
  saving = $state(false);
  /** How the last save went, or why the form cannot be saved. */
  saveMsg = $state<SaveMessage | null>(null);

  /** The update the settings last adopted amount to: what dirty compares with. */
  #saved = $state("");
  /** True when the form differs from the settings last loaded or saved. */
  readonly dirty = $derived(JSON.stringify(this.update()) !== this.#saved);

  readonly #onSaved: (s: Settings) => void;

  /** onSaved gets the settings as saved. */
  constructor(onSaved: (s: Settings) => void) {
    this.#onSaved = onSaved;
  }

  /** Fills the form from the server's settings. */
  adopt(s: Settings): void {
    this.scopeLevel = s.scope?.level || "campaigns";
    this.clientID = s.scope?.client_id ?? "";
    this.scopeAll = s.scope?.all ?? true;
    this.scopeCampaigns = [...(s.scope?.campaigns ?? [])].map(String);
    this.events = [...(s.events ?? EVENT_TYPES)];
    this.notifyTypes = { ...(s.notifications?.types ?? {}) };
    this.quietEnabled = !!s.notifications?.quiet_hours?.enabled;
    this.quietStart = s.notifications?.quiet_hours?.start || "22:00";
    this.quietEnd = s.notifications?.quiet_hours?.end || "07:00";
    this.sound = s.notifications?.sound ?? true;
    this.triagePops = s.notifications?.triage ?? null;
    this.urgentInQuietHours = !!s.notifications?.urgent_in_quiet_hours;
    this.keepSent = s.retention?.sent_days ?? 90;
    this.keepOpened = s.retention?.opened_days ?? 90;
    this.keepClicked = s.retention?.clicked_days ?? 180;
    this.#saved = JSON.stringify(this.update());
  }

  /** The form as a PUT /api/settings body. */
  update(): SettingsUpdate {
    const perCampaign = this.scopeLevel === "campaigns";
    return {
      scope: {
        all: perCampaign ? this.scopeAll : true,
        campaigns: perCampaign && !this.scopeAll ? this.scopeCampaigns : [],
        level: this.scopeLevel,
        ...(this.scopeLevel === "client" ? { client_id: this.clientID.trim() } : {}),
      },
      events: ALL_TYPES.filter((t) => this.events.includes(t)),
      notifications: {
        types: this.notifyTypes,
        quiet_hours: { enabled: this.quietEnabled, start: this.quietStart, end: this.quietEnd },
        sound: this.sound,
        triage: this.triagePops,
        urgent_in_quiet_hours: this.urgentInQuietHours,
      },
      retention: { sent_days: this.keepSent, opened_days: this.keepOpened, clicked_days: this.keepClicked },
    };
  }

  /** Why the form cannot be saved as it is, in words; "" when it can. */
  problem(): string {
    if (this.scopeLevel === "campaigns" && !this.scopeAll && this.scopeCampaigns.length === 0) {
      return "Choose at least one campaign, or pick “All campaigns”.";
    }
    if (this.scopeLevel === "client" && !this.clientID.trim()) {
      return "Enter the agency client's id, as SmartLead shows it under Clients.";
    }
    if (!this.events.some((t) => ALL_TYPES.includes(t))) return "Subscribe to at least one kind of event.";
    return "";
  }

  /** Saves the form, or says why it cannot; the form then shows the settings as saved. */
  async save(): Promise<void> {
    const update = this.update();
    const problem = this.problem();
    if (problem) {
      this.saveMsg = { tone: "bad", text: problem };
      return;
    }
    this.saving = true;
    this.saveMsg = null;
    try {
      const saved = await api.saveSettings(update);
      this.adopt(saved);
      this.saveMsg = { tone: "ok", text: "Saved." };
      this.#onSaved(saved);
    } catch (err) {
      this.saveMsg = { tone: "bad", text: errorText(err, "Could not save. Try again.") };
    } finally {
      this.saving = false;
    }
  }

  toggleCampaign(id: string, on: boolean): void {
    this.scopeCampaigns = toggle(this.scopeCampaigns, id, on);
  }

  toggleEvent(t: EventType, on: boolean): void {
    this.events = toggle(this.events, t, on);
  }

  setNotify(t: EventType, on: boolean): void {
    this.notifyTypes = { ...this.notifyTypes, [t]: on };
  }

  /** How replies of a class pop up, as the server reads the settings (settings.Notifications.Pop). */
  pop(cls: string): Pop {
    const p = this.triagePops ? this.triagePops[cls] : DEFAULT_POPS[cls];
    return isPop(p) ? p : "normal";
  }

  /** Sets how replies of a class pop up; the other classes keep theirs (the defaults, when none were saved). */
  setPop(cls: string, p: Pop): void {
    this.triagePops = { ...(this.triagePops ?? DEFAULT_POPS), [cls]: p };
  }
}

/** How a kind of reply pops up. */
export type Pop = "now" | "normal" | "silent" | "never";

/** The server's defaults (settings.DefaultTriagePops), used while none are saved. */
const DEFAULT_POPS: Record<string, Pop> = {
  interested: "now",
  question: "normal",
  not_now: "normal",
  not_interested: "normal",
  unsubscribe: "silent",
  out_of_office: "never",
  wrong_person: "normal",
  auto_reply: "never",
};

function isPop(p: string | undefined): p is Pop {
  return p === "now" || p === "normal" || p === "silent" || p === "never";
}

function toggle<T>(list: T[], v: T, on: boolean): T[] {
  return on ? (list.includes(v) ? list : [...list, v]) : list.filter((x) => x !== v);
}
