package webhook

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
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
}

// Log wraps the receiver and remembers its latest answers in memory, for
// the inspector. Self-tests are not shown; the path (which holds the token)
// is never kept.
type Log struct {
	next http.Handler
	size int
	now  func() time.Time

	mu   sync.Mutex
	ring []Delivery
	pos  int
}

// NewLog keeps the latest size deliveries that next answers.
func NewLog(next http.Handler, size int) *Log {
	return &Log{next: next, size: size, now: time.Now}
}

// ServeHTTP passes the request on and records the answer.
func (l *Log) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(SelfTestHeader) != "" {
		l.next.ServeHTTP(w, r)
		return
	}
	at := l.now().UTC()
	body := &teeBody{ReadCloser: r.Body}
	r.Body = body
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	l.next.ServeHTTP(rec, r)
	d := Delivery{At: at, Status: rec.status, Remote: remote(r), Body: string(body.kept), BodySize: body.n, Headers: map[string]string{}}
	for _, h := range []string{"Content-Type", "User-Agent", smartlead.SignatureHeader} {
		if v := r.Header.Get(h); v != "" {
			d.Headers[h] = v
		}
	}
	var answer struct {
		ID        string `json:"id"`
		Duplicate bool   `json:"duplicate"`
		Error     string `json:"error"`
	}
	_ = json.Unmarshal(rec.answer, &answer)
	d.EventID, d.Duplicate, d.Reason = answer.ID, answer.Duplicate, answer.Error
	l.add(d)
}

func (l *Log) add(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < l.size {
		l.ring = append(l.ring, d)
		return
	}
	l.ring[l.pos] = d
	l.pos = (l.pos + 1) % l.size
}

// Recent returns up to limit deliveries, newest first.
func (l *Log) Recent(limit int) []Delivery {
	l.mu.Lock()
	out := append(slices.Clone(l.ring[l.pos:]), l.ring[:l.pos]...)
	l.mu.Unlock()
	slices.Reverse(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// teeBody keeps the first logBodyLimit bytes read through it.
type teeBody struct {
	io.ReadCloser
	kept []byte
	n    int
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.n += n
	if room := logBodyLimit - len(t.kept); room > 0 {
		t.kept = append(t.kept, p[:min(n, room)]...)
	}
	return n, err
}

// recorder notes the status and the (small) JSON answer.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	answer []byte
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if len(r.answer) < 4<<10 {
		r.answer = append(r.answer, b...)
	}
	return r.ResponseWriter.Write(b)
}
