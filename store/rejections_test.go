package store

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	bolt "go.etcd.io/bbolt"
)

// syncWriter waits until every request queued before it is committed: the
// writer's queue is first in, first out.
func syncWriter(tb testing.TB, s *Store) {
	tb.Helper()
	if err := s.putJSON("sync", true); err != nil {
		tb.Fatal(err)
	}
}

func TestRejectionsAreCappedNewestFirst(t *testing.T) {
	s := openTest(t)
	const n = maxRejections + 5
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		s.Reject(Rejection{
			At: at.Add(time.Duration(i) * time.Second), Status: 401, Reason: fmt.Sprintf("bad signature %d", i),
			Remote: "203.0.113.7:51234", Headers: map[string]string{"Content-Type": "application/json"},
			Body: []byte(`{"event":"EMAIL_REPLIED"}`),
		})
	}
	syncWriter(t, s)
	if got := s.RejectedTotal(); got != n {
		t.Errorf("RejectedTotal = %d, want %d", got, n)
	}
	tests := []struct {
		limit, want int
	}{{0, DefaultLimit}, {3, 3}, {2 * n, maxRejections}}
	for _, tt := range tests {
		rs, err := s.Rejections(tt.limit)
		if err != nil || len(rs) != tt.want {
			t.Fatalf("Rejections(%d): %d, %v; want %d", tt.limit, len(rs), err, tt.want)
		}
		for i, r := range rs {
			if want := fmt.Sprintf("bad signature %d", n-1-i); r.Reason != want {
				t.Fatalf("Rejections(%d)[%d] = %q, want %q", tt.limit, i, r.Reason, want)
			}
		}
	}
	rs, _ := s.Rejections(1)
	r := rs[0]
	if !r.At.Equal(at.Add((n-1)*time.Second)) || r.Status != 401 || r.Remote != "203.0.113.7:51234" ||
		r.Headers["Content-Type"] != "application/json" || string(r.Body) != `{"event":"EMAIL_REPLIED"}` || r.BodySize != 25 {
		t.Errorf("newest rejection = %+v", r)
	}
}

func TestRejectTruncatesTheBody(t *testing.T) {
	s := openTest(t)
	body := bytes.Repeat([]byte("x"), maxRejectedBody+100)
	s.Reject(Rejection{Status: 400, Reason: "not JSON", Body: body})
	syncWriter(t, s)
	rs, err := s.Rejections(1)
	if err != nil || len(rs) != 1 {
		t.Fatalf("Rejections: %d, %v", len(rs), err)
	}
	if len(rs[0].Body) != maxRejectedBody || rs[0].BodySize != len(body) {
		t.Errorf("body %d bytes, size %d; want %d and %d", len(rs[0].Body), rs[0].BodySize, maxRejectedBody, len(body))
	}
}

func TestRejectDropsWhenTheQueueIsFull(t *testing.T) {
	s := openTest(t)
	release := holdWriter(t, s)
	const n = queueSize + 100
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		// A second apart: none is sampled out.
		s.Reject(Rejection{At: at.Add(time.Duration(i) * time.Second), Status: 401, Reason: fmt.Sprint(i)}) // must not block
	}
	release()
	syncWriter(t, s)
	if got := s.RejectedTotal(); got != n {
		t.Errorf("RejectedTotal = %d, want %d (dropped ones count)", got, n)
	}
	rs, err := s.Rejections(maxRejections)
	if err != nil || len(rs) != maxRejections {
		t.Fatalf("Rejections: %d, %v", len(rs), err)
	}
	if rs[0].Reason != fmt.Sprint(queueSize-1) {
		t.Errorf("newest kept = %q, want %d: the last one the queue had room for", rs[0].Reason, queueSize-1)
	}
}

func TestRejectSamplesAFlood(t *testing.T) {
	s := openTest(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	const flood = 10000
	for i := range flood {
		// 10,000 bad signatures within one second, and a few 400s in it.
		s.Reject(Rejection{At: at.Add(time.Duration(i) * 50 * time.Microsecond), Status: 401, Reason: fmt.Sprint("401 #", i)})
		if i%1000 == 0 {
			s.Reject(Rejection{At: at, Status: 400, Reason: fmt.Sprint("400 #", i)})
		}
	}
	s.Reject(Rejection{At: at.Add(time.Second), Status: 401, Reason: "next second"})
	syncWriter(t, s)
	if got, want := s.RejectedTotal(), uint64(flood+flood/1000+1); got != want {
		t.Errorf("RejectedTotal = %d, want %d: every rejection counts", got, want)
	}
	rs, err := s.Rejections(maxRejections)
	if err != nil {
		t.Fatal(err)
	}
	by := map[int]int{}
	for _, r := range rs {
		by[r.Status]++
	}
	if by[401] != rejectSample+1 || by[400] != rejectSample || len(rs) != 2*rejectSample+1 {
		t.Errorf("logged %v (%d in all), want %d of each status in the second and 1 in the next", by, len(rs), rejectSample)
	}
	if rs[0].Reason != "next second" || rs[len(rs)-1].Reason != "401 #0" {
		t.Errorf("logged newest %q, oldest %q: want the first of each second kept", rs[0].Reason, rs[len(rs)-1].Reason)
	}
}

// base64Cores returns, for each of the three alignments a string can have
// in a base64 encoding, the characters that encode secret wherever it
// sits in body: the rejected log keeps bodies as base64.
func base64Cores(body []byte, secret string) [][]byte {
	at := bytes.Index(body, []byte(secret))
	var cores [][]byte
	for off := range 3 {
		if at-off < 0 {
			continue
		}
		enc := base64.StdEncoding.EncodeToString(body[at-off : at+len(secret)])
		cores = append(cores, []byte(enc[4:len(enc)-4]))
	}
	return cores
}

func TestOpenScrubsSecretsAnOlderLeadbellKept(t *testing.T) {
	const secret = "whsec-Hunter2-0123456789abcdef"
	body := []byte(`{"event_type":"EMAIL_REPLY","secret_key":"` + secret + `","to_email":"jane@acme.example"}`)
	s := openTest(t)
	// An older Leadbell logged rejected bodies as they came.
	for i := range 50 {
		s.Reject(Rejection{At: time.Unix(int64(i), 0), Status: 401, Reason: "bad signature", Body: body})
	}
	syncWriter(t, s)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaRejectedRedacted) }); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile(path)
	cores := base64Cores(body, secret)
	found := 0
	for _, c := range cores {
		if bytes.Contains(file, c) {
			found++
		}
	}
	if found == 0 {
		t.Fatal("the test's older file does not hold the secret: it shows nothing")
	}

	s, err := Open(path, Options{RedactRejected: func(b []byte) []byte { return smartlead.Redact(b) }})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Rejections(MaxLimit)
	if err != nil || len(rs) != 50 {
		t.Fatalf("Rejections: %d, %v", len(rs), err)
	}
	for _, r := range rs {
		if bytes.Contains(r.Body, []byte(secret)) || !bytes.Contains(r.Body, []byte(`"secret_key":"[redacted]"`)) ||
			!bytes.Contains(r.Body, []byte(`"to_email":"jane@acme.example"`)) {
			t.Fatalf("a rejected body after Open: %s", r.Body)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	file, _ = os.ReadFile(path)
	for _, c := range cores {
		if bytes.Contains(file, c) {
			t.Errorf("the file's bytes still hold the secret (as %s)", c)
		}
	}
}
