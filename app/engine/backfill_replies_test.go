package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbell/leadbell/store"
)

// A list kept by an earlier Leadbell as one JSON map is moved to the
// store's bucket when the engine starts, and the old key is gone.
func TestBackfilledRepliesMoveToTheirBucket(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := st.PutJSON(backfilledKey, map[string]backfilledReply{"<a@x>": {ID: "3", At: at}, "<b@x>": {ID: "5", At: at}}); err != nil {
		t.Fatal(err)
	}
	g, err := newReplyGuard(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	for msg, want := range map[string]string{"<a@x>": "3", "<b@x>": "5"} {
		if id, ok := g.backfilledID(msg); !ok || id != want {
			t.Errorf("backfilledID(%s) = %q, %v; want %s", msg, id, ok, want)
		}
	}
	var left map[string]backfilledReply
	if ok, _ := st.GetJSON(backfilledKey, &left); ok {
		t.Errorf("the old key is still kept: %v", left)
	}
}
