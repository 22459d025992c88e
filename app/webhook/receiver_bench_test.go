package webhook

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/store"
)

// BenchmarkReceive measures the receiver's own work per delivery (verify,
// parse, dedupe, durable commit) without HTTP: handler calls from parallel
// goroutines, as concurrent connections would make them.
func BenchmarkReceive(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "leadbell.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := New(Config{Token: testToken, Secret: testSecret, Store: st})
	template := fixtureBody(b, "reply_spec.json")
	var n atomic.Int64
	b.SetParallelism(16) // 16 x GOMAXPROCS goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := bytes.Replace(template, []byte(`"lead_id": 789`), fmt.Appendf(nil, `"lead_id": %d`, n.Add(1)), 1)
			req := httptest.NewRequest(http.MethodPost, "/hooks/"+testToken, bytes.NewReader(body))
			req.Header.Set(smartlead.SignatureHeader, smartlead.Sign(body, testSecret))
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}
