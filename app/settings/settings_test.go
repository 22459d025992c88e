package settings

import (
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
)

func ptr[T any](v T) *T { return &v }

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		update  Update
		check   func(Settings) bool
		wantErr bool
	}{
		{"nothing changes", Update{}, func(s Settings) bool { return s.Scope.All && len(s.Events) == 6 }, false},
		{"chosen campaigns", Update{Scope: &Scope{Campaigns: []string{"7", "9"}}}, func(s Settings) bool { return !s.Scope.All && len(s.Scope.Campaigns) == 2 }, false},
		{"no campaign chosen", Update{Scope: &Scope{}}, nil, true},
		{"only replies", Update{Events: []smartlead.EventType{smartlead.EventReplied}}, func(s Settings) bool { return len(s.Events) == 1 }, false},
		{"no events", Update{Events: []smartlead.EventType{}}, nil, true},
		{"unknown event", Update{Events: []smartlead.EventType{"EMAIL_EXPLODED"}}, nil, true},
		{"quiet hours", Update{Notifications: &Notifications{QuietHours: QuietHours{Enabled: true, Start: "21:30", End: "06:00"}}},
			func(s Settings) bool {
				return s.Notifications.QuietHours.Enabled && s.Notifications.Types[smartlead.EventReplied]
			}, false},
		{"bad quiet hours", Update{Notifications: &Notifications{QuietHours: QuietHours{Start: "25:00", End: "06:00"}}}, nil, true},
		{"domain", Update{NgrokDomain: ptr("leads.ngrok.app")}, func(s Settings) bool { return s.NgrokDomain == "leads.ngrok.app" }, false},
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
		if on != (typ == smartlead.EventReplied) {
			t.Errorf("%s notifications %v by default", typ, on)
		}
	}
}
