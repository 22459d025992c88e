package store

import (
	"path/filepath"
	"reflect"
	"testing"
)

type registration struct {
	WebhookID  int      `json:"webhook_id"`
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types"`
}

func TestSettingsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := registration{WebhookID: 4711, URL: "https://example.ngrok.app/hooks/abc", EventTypes: []string{"EMAIL_REPLIED"}}
	if err := s.PutJSON("registration", reg); err != nil {
		t.Fatal(err)
	}
	if err := s.PutJSON("token", "t0k3n"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutJSON("token", "rotated"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var got registration
	if ok, err := s.GetJSON("registration", &got); !ok || err != nil || !reflect.DeepEqual(got, reg) {
		t.Errorf("registration: %+v ok %v err %v, want %+v", got, ok, err, reg)
	}
	var token string
	if ok, err := s.GetJSON("token", &token); !ok || err != nil || token != "rotated" {
		t.Errorf("token: %q ok %v err %v, want the last value", token, ok, err)
	}
	if err := s.DeleteKey("token"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteKey("never-set"); err != nil {
		t.Errorf("DeleteKey of a missing key: %v", err)
	}
	token = "untouched"
	if ok, err := s.GetJSON("token", &token); ok || err != nil || token != "untouched" {
		t.Errorf("deleted token: %q ok %v err %v, want not found and v untouched", token, ok, err)
	}
	var n int
	if ok, err := s.GetJSON("registration", &n); !ok || err == nil {
		t.Errorf("decoding into the wrong type: ok %v err %v, want an error", ok, err)
	}
	if err := s.PutJSON("", 1); err == nil {
		t.Error("PutJSON with an empty key succeeded")
	}
	if err := s.PutJSON("bad", func() {}); err == nil {
		t.Error("PutJSON of an unencodable value succeeded")
	}
}
