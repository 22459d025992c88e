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

var (
	registrationDoc = Doc[registration]("registration")
	tokenDoc        = Doc[string]("token")
)

func TestDocsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbell.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := registration{WebhookID: 4711, URL: "https://example.ngrok.app/hooks/abc", EventTypes: []string{"EMAIL_REPLIED"}}
	if err := registrationDoc.Put(s, reg); err != nil {
		t.Fatal(err)
	}
	if err := tokenDoc.Put(s, "t0k3n"); err != nil {
		t.Fatal(err)
	}
	if err := tokenDoc.Put(s, "rotated"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	if got, ok, err := registrationDoc.Get(s); !ok || err != nil || !reflect.DeepEqual(got, reg) {
		t.Errorf("registration: %+v ok %v err %v, want %+v", got, ok, err, reg)
	}
	if token, ok, err := tokenDoc.Get(s); !ok || err != nil || token != "rotated" {
		t.Errorf("token: %q ok %v err %v, want the last value", token, ok, err)
	}
	if err := tokenDoc.Delete(s); err != nil {
		t.Fatal(err)
	}
	if err := Doc[int]("never-set").Delete(s); err != nil {
		t.Errorf("deleting a missing document: %v", err)
	}
	token := "untouched"
	if ok, err := tokenDoc.Load(s, &token); ok || err != nil || token != "untouched" {
		t.Errorf("deleted token: %q ok %v err %v, want not found and v untouched", token, ok, err)
	}
	partial := registration{URL: "default", EventTypes: []string{"kept?"}}
	Doc[map[string]int]("partial").Put(s, map[string]int{"webhook_id": 7})
	if ok, err := Doc[registration]("partial").Load(s, &partial); !ok || err != nil || partial.WebhookID != 7 || partial.URL != "default" {
		t.Errorf("Load over defaults: %+v ok %v err %v, want the stored field set and the others kept", partial, ok, err)
	}
	if _, ok, err := Doc[int]("registration").Get(s); !ok || err == nil {
		t.Errorf("decoding into the wrong type: ok %v err %v, want an error", ok, err)
	}
	if err := Doc[int]("").Put(s, 1); err == nil {
		t.Error("a document with an empty name was saved")
	}
	if err := Doc[func()]("bad").Put(s, func() {}); err == nil {
		t.Error("an unencodable document was saved")
	}
}
