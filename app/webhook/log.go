package webhook

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// logBodyLimit is how much of a delivery's body the log keeps.
const logBodyLimit = 64 << 10

// Delivery is one answered request, as the inspector shows it.
type Delivery struct {
	At        time.Time         `json:"at"`
	Status    int               `json:"status"`
	Reason    string            `json:"reason,omitempty"` // why it was refused, as answered
	EventID   string            `json:"event_id,omitempty"`
	Duplicate bool              `json:"duplicate,omitempty"`
	Remote    string            `json:"remote,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body,omitempty"` // the first 64 KiB as received
	BodySize  int               `json:"body_size"`
	// Test marks SmartLead's own test event (not stored as an event).
	Test bool `json:"test,omitempty"`
	// SignatureHeader is the header a signature came in, if any.
	SignatureHeader string `json:"signature_header,omitempty"`
	// SecretMismatch marks a delivery taken on its path token although its
	// signature or secret_key did not match the webhook secret.
	SecretMismatch bool `json:"secret_mismatch,omitempty"`
	// Truncated is set when Body is only the first 64 KiB of BodySize.
	Truncated bool `json:"truncated,omitempty"`
}

// Log wraps the receiver and remembers its latest answers in memory, for
// the inspector. Self-tests are not shown; the path (which holds the token)
// is never kept.
//
// Accepted deliveries (answered below 400) and refused ones are kept apart,
// so that a flood of bad requests cannot push the latest genuine
// deliveries out: the latest size accepted ones, and the latest size/4
// (at least one) refused ones.
type Log struct {
	next http.Handler
	now  func() time.Time

	mu       sync.Mutex
	accepted ring
	refused  ring
	counts   map[int]uint64 // answers by status since start
}

// NewLog keeps the latest size deliveries that next accepts and the latest
// size/4 that it refuses.
func NewLog(next http.Handler, size int) *Log {
	return &Log{next: next, now: time.Now, accepted: ring{size: size}, refused: ring{size: max(size/4, 1)}, counts: map[int]uint64{}}
}

// ring holds the latest size deliveries.
type ring struct {
	size int
	buf  []Delivery
	pos  int
}

func (r *ring) add(d Delivery) {
	if r.size <= 0 {
		return
	}
	if len(r.buf) < r.size {
		r.buf = append(r.buf, d)
		return
	}
	r.buf[r.pos] = d
	r.pos = (r.pos + 1) % r.size
}

// appendTo appends the deliveries oldest first.
func (r *ring) appendTo(out []Delivery) []Delivery {
	out = append(out, r.buf[r.pos:]...)
	return append(out, r.buf[:r.pos]...)
}

// ServeHTTP passes the request on and records the answer.
func (l *Log) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := l.now().UTC()
	body := &teeBody{ReadCloser: r.Body}
	r.Body = body
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	l.next.ServeHTTP(rec, r)
	if rec.noted && rec.note.selfTest {
		return // Leadbell's own probe, its signature verified: not a delivery
	}
	// The body as received but for the webhook secret, which a live
	// delivery carries in secret_key: the Inspector never shows it.
	kept := body.kept.String()
	if strings.Contains(kept, "secret_key") || strings.Contains(kept, `\u`) {
		kept = string(smartlead.Redact([]byte(kept)))
	}
	d := Delivery{At: at, Status: rec.status, Remote: remote(r), Body: kept, BodySize: body.n, Truncated: body.n > logBodyLimit, Headers: map[string]string{}}
	for _, h := range append([]string{"Content-Type", "User-Agent"}, smartlead.SignatureHeaders...) {
		if v := r.Header.Get(h); v != "" {
			d.Headers[h] = v
		}
	}
	if rec.noted {
		// The receiver said what it answered (noteAnswer): no need to
		// read it back from the JSON.
		n := rec.note
		d.EventID, d.Duplicate, d.Reason = n.id, n.dup, n.reason
		d.Test, d.SignatureHeader, d.SecretMismatch = n.test, n.header, n.mismatch
	} else {
		var answer struct {
			ID        string `json:"id"`
			Duplicate bool   `json:"duplicate"`
			Error     string `json:"error"`
		}
		_ = json.Unmarshal(rec.answer, &answer)
		d.EventID, d.Duplicate, d.Reason = answer.ID, answer.Duplicate, answer.Error
	}
	l.add(d)
}

func (l *Log) add(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[d.Status]++
	switch {
	case d.Status == http.StatusNotFound:
		// Anyone can ask for a path that is not the token's: counted, but
		// not kept, so that guesses cannot push real deliveries out.
	case d.Status < http.StatusBadRequest:
		l.accepted.add(d)
	default:
		l.refused.add(d)
	}
}

// Counts returns how many deliveries got each status since the Log was
// made, self-tests excepted: every one, not only those Recent keeps.
func (l *Log) Counts() map[int]uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.counts)
}

// Recent returns up to limit deliveries, accepted and refused, newest
// first.
func (l *Log) Recent(limit int) []Delivery {
	l.mu.Lock()
	out := l.accepted.appendTo(nil)
	out = l.refused.appendTo(out)
	l.mu.Unlock()
	// Each ring is in answer order; merged by arrival, newest first (a
	// stable sort keeps answer order among equal times).
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b Delivery) int { return b.At.Compare(a.At) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// teeBody keeps the first logBodyLimit bytes read through it, in a
// builder so that the Delivery's Body is made without another copy.
type teeBody struct {
	io.ReadCloser
	kept strings.Builder
	n    int
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.n += n
	if room := logBodyLimit - t.kept.Len(); room > 0 {
		t.kept.Write(p[:min(n, room)])
	}
	return n, err
}

// answerNote is what the receiver answered, for the log.
type answerNote struct {
	id       string
	dup      bool
	reason   string // why it was refused
	test     bool   // SmartLead's test event
	selfTest bool   // Leadbell's own probe, verified
	header   string // the signature header used
	mismatch bool   // the secret did not match
}

// answerNoter is implemented by a ResponseWriter that wants to know what
// the receiver answered without parsing the answer: the receiver calls it
// before it writes.
type answerNoter interface {
	noteAnswer(answerNote)
}

// noteAnswer tells w, when it asks (answerNoter), what is being answered.
func noteAnswer(w http.ResponseWriter, n answerNote) {
	if an, ok := w.(answerNoter); ok {
		an.noteAnswer(n)
	}
}

// recorder notes the status and the answer: what the receiver said it
// answered (noteAnswer), or else the (small) JSON answer itself.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	answer []byte

	noted bool
	note  answerNote
}

func (r *recorder) noteAnswer(n answerNote) {
	r.noted, r.note = true, n
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if !r.noted && len(r.answer) < 4<<10 {
		r.answer = append(r.answer, b...)
	}
	return r.ResponseWriter.Write(b)
}
