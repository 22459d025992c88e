package settings

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/leadbell/leadbell/event"
)

func ptr[T any](v T) *T { return &v }

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		update  Update
		check   func(Settings) bool
		wantErr bool
	}{
		{"nothing changes", Update{}, func(s Settings) bool {
			return s.Scope.All && len(s.Events) == 7 && s.Scope.EffectiveLevel() == LevelCampaigns
		}, false},
		{"category updates alone", Update{Events: []event.Type{event.CategoryUpdated}}, func(s Settings) bool { return len(s.Events) == 1 }, false},
		{"account level", Update{Scope: &Scope{Level: LevelAccount}}, func(s Settings) bool {
			return s.Scope.Level == LevelAccount && s.Scope.All && len(s.Scope.Campaigns) == 0
		}, false},
		{"client level", Update{Scope: &Scope{Level: LevelClient, ClientID: " 42 "}}, func(s Settings) bool {
			return s.Scope.Level == LevelClient && s.Scope.ClientID == "42" && s.Scope.All
		}, false},
		{"client level without a client", Update{Scope: &Scope{Level: LevelClient}}, nil, true},
		{"unknown level", Update{Scope: &Scope{All: true, Level: "galaxy"}}, nil, true},
		{"chosen campaigns keep the level", Update{Scope: &Scope{Campaigns: []string{"7"}}}, func(s Settings) bool {
			return s.Scope.Level == LevelCampaigns
		}, false},
		{"public address", Update{PublicURL: ptr(" https://leads.example.com/ ")}, func(s Settings) bool { return s.PublicURL == "https://leads.example.com" }, false},
		{"public address cleared", Update{PublicURL: ptr("")}, func(s Settings) bool { return s.PublicURL == "" }, false},
		{"public address not a URL", Update{PublicURL: ptr("leads.example.com")}, nil, true},
		{"public address with a query", Update{PublicURL: ptr("https://leads.example.com/?token=1")}, nil, true},
		{"chosen campaigns", Update{Scope: &Scope{Campaigns: []string{"7", "9"}}}, func(s Settings) bool { return !s.Scope.All && len(s.Scope.Campaigns) == 2 }, false},
		{"no campaign chosen", Update{Scope: &Scope{}}, nil, true},
		{"only replies", Update{Events: []event.Type{event.Replied}}, func(s Settings) bool { return len(s.Events) == 1 }, false},
		{"no events", Update{Events: []event.Type{}}, nil, true},
		{"unknown event", Update{Events: []event.Type{"EMAIL_EXPLODED"}}, nil, true},
		{"quiet hours", Update{Notifications: &Notifications{QuietHours: QuietHours{Enabled: true, Start: "21:30", End: "06:00"}}},
			func(s Settings) bool {
				return s.Notifications.QuietHours.Enabled && s.Notifications.Types[event.Replied]
			}, false},
		{"bad quiet hours", Update{Notifications: &Notifications{QuietHours: QuietHours{Start: "25:00", End: "06:00"}}}, nil, true},
		{"domain", Update{NgrokDomain: ptr("leads.ngrok.app")}, func(s Settings) bool { return s.NgrokDomain == "leads.ngrok.app" }, false},
		{"retention", Update{Retention: &Retention{SentDays: 30, OpenedDays: 0, ClickedDays: 365}},
			func(s Settings) bool { return s.Retention == Retention{SentDays: 30, ClickedDays: 365} }, false},
		{"negative retention", Update{Retention: &Retention{SentDays: -1, OpenedDays: 90, ClickedDays: 90}}, nil, true},
		{"absurd retention", Update{Retention: &Retention{SentDays: 90, OpenedDays: 90, ClickedDays: 1 << 40}}, nil, true},
		{"longest retention", Update{Retention: &Retention{SentDays: MaxRetentionDays, OpenedDays: 1, ClickedDays: 0}},
			func(s Settings) bool { return s.Retention.SentDays == MaxRetentionDays }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Default().Apply(tt.update)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && !tt.check(got) {
				t.Errorf("settings after update: %+v", got)
			}
		})
	}
}

func TestDefaultNotifiesRepliesOnly(t *testing.T) {
	d := Default()
	for typ, on := range d.Notifications.Types {
		if on != (typ == event.Replied) {
			t.Errorf("%s notifications %v by default", typ, on)
		}
	}
}

func TestRetentionCutoffs(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    Retention
		want map[event.Type]time.Time
	}{
		{"defaults", Default().Retention, map[event.Type]time.Time{
			event.Sent:    now.AddDate(0, 0, -90),
			event.Opened:  now.AddDate(0, 0, -90),
			event.Clicked: now.AddDate(0, 0, -180),
		}},
		{"forever", Retention{}, map[event.Type]time.Time{}},
		{"opens only", Retention{OpenedDays: 30}, map[event.Type]time.Time{event.Opened: now.AddDate(0, 0, -30)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.Cutoffs(now)
			if len(got) != len(tt.want) {
				t.Fatalf("cutoffs %v, want %v", got, tt.want)
			}
			for typ, at := range tt.want {
				if !got[typ].Equal(at) {
					t.Errorf("%s: %v, want %v", typ, got[typ], at)
				}
			}
			for _, typ := range []event.Type{event.Replied, event.Bounced, event.Unsubscribed} {
				if _, ok := got[typ]; ok {
					t.Errorf("%s would be pruned", typ)
				}
			}
		})
	}
}

func TestSavedSettingsWithoutRetentionGetTheDefaults(t *testing.T) {
	// Settings saved before retention existed.
	old := []byte(`{"ngrok_domain":"","scope":{"all":true,"campaigns":[]},"events":["EMAIL_REPLY"],"notifications":{"types":{},"quiet_hours":{"enabled":false,"start":"22:00","end":"07:00"},"sound":true}}`)
	s := Default()
	if err := json.Unmarshal(old, &s); err != nil {
		t.Fatal(err)
	}
	if s.Retention != Default().Retention {
		t.Errorf("retention %+v, want the defaults %+v", s.Retention, Default().Retention)
	}
}
