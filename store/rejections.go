package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	// maxRejections is how many rejected deliveries the log keeps.
	maxRejections = 1000
	// maxRejectedBody is how much of a rejected body the log keeps.
	maxRejectedBody = 8 << 10
)

// Rejection is a delivery the receiver refused, kept for the inspector.
type Rejection struct {
	// At is when the delivery arrived.
	At time.Time `json:"at"`
	// Status is the HTTP status it was answered with.
	Status int `json:"status"`
	// Reason says why, in words.
	Reason string `json:"reason"`
	// Remote is the client address.
	Remote string `json:"remote,omitempty"`
	// Headers are the request headers worth showing (never secrets).
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the start of the request body, at most 8 KiB.
	Body []byte `json:"body,omitempty"`
	// BodySize is the size of the whole body.
	BodySize int `json:"body_size"`
}

// rejectSample is how many rejections of each status, per second of their
// time (Rejection.At), are written to the log: a flood of bad requests is
// counted in full but costs the writer, which applies the genuine
// deliveries, a few small writes a second.
const rejectSample = 5

// rejectSampler decides which rejections are written.
type rejectSampler struct {
	mu     sync.Mutex
	second map[int]int64 // status -> the Unix second being counted
	n      map[int]int   // status -> rejections written in that second
}

// keep reports whether a rejection of status at at is written.
func (r *rejectSampler) keep(status int, at time.Time) bool {
	sec := at.Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.second == nil {
		r.second, r.n = map[int]int64{}, map[int]int{}
	}
	if r.second[status] != sec {
		r.second[status], r.n[status] = sec, 0
	}
	if r.n[status] >= rejectSample {
		return false
	}
	r.n[status]++
	return true
}

// Reject logs a refused delivery without waiting: it is written with the
// next commit but not waited for. Every call is counted (RejectedTotal),
// but only the first rejectSample of each status in each second of r.At
// (now, when zero) are written; the others, and any that arrive while the
// writer's queue is full or the store is closed, are dropped.
func (s *Store) Reject(r Rejection) {
	s.rejected.Add(1)
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	if !s.rejectSampler.keep(r.Status, at) {
		return
	}
	if r.BodySize == 0 {
		r.BodySize = len(r.Body)
	}
	if len(r.Body) > maxRejectedBody {
		r.Body = r.Body[:maxRejectedBody]
	}
	data, err := json.Marshal(r)
	if err != nil {
		s.log.Warn("unable to encode rejection", "error", err)
		return
	}
	if !s.trySubmit(&rejectOp{data: data}) {
		s.log.Debug("rejection dropped", "status", r.Status)
	}
}

// RejectedTotal is the number of Reject calls since Open, dropped ones
// included.
func (s *Store) RejectedTotal() uint64 { return s.rejected.Load() }

// Rejections returns up to limit logged rejections, newest first (limit
// defaults to DefaultLimit and is at most the log's size, 1000).
func (s *Store) Rejections(limit int) ([]Rejection, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, maxRejections)
	rs := []Rejection{}
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRejected).Cursor()
		for k, v := c.Last(); k != nil && len(rs) < limit; k, v = c.Prev() {
			var r Rejection
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			rs = append(rs, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read rejections: %w", err)
	}
	return rs, nil
}

type rejectOp struct{ data []byte }

func (o *rejectOp) size() int    { return 1 }
func (o *rejectOp) finish(error) {}

// apply appends the rejection and trims the log to its newest entries.
func (o *rejectOp) apply(w *txn) error {
	seq, err := w.rejected.NextSequence()
	if err != nil {
		return err
	}
	if err := w.rejected.Put(seqKey(seq), o.data); err != nil {
		return err
	}
	if seq <= maxRejections {
		return nil
	}
	keep := seqKey(seq - maxRejections + 1)
	var old [][]byte
	c := w.rejected.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, keep) < 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := w.rejected.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// metaRejectedRedacted marks a file whose rejected log has been through
// redactRejections. Leadbell before 0.9 kept rejected bodies as received,
// the webhook secret of a live delivery's secret_key among them.
var metaRejectedRedacted = []byte("rejected_redacted")

// redactRejections runs redact (Options.RedactRejected: the secret_key
// of a SmartLead payload replaced by "[redacted]") over every body in the
// rejected log, once for a file, when it is opened; changed reports
// whether any body changed.
func redactRejections(tx *bolt.Tx, redact func([]byte) []byte) (changed bool, err error) {
	meta, b := tx.Bucket(bucketMeta), tx.Bucket(bucketRejected)
	if meta == nil || b == nil || redact == nil {
		return false, nil // a new file: initBuckets makes it
	}
	if meta.Get(metaRejectedRedacted) != nil {
		return false, nil
	}
	type change struct{ k, v []byte }
	var changes []change
	err = b.ForEach(func(k, v []byte) error {
		var r Rejection
		if json.Unmarshal(v, &r) != nil || len(r.Body) == 0 {
			return nil // not ours to mend: shown as it is
		}
		red := redact(r.Body)
		if bytes.Equal(red, r.Body) {
			return nil
		}
		r.Body = red
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		changes = append(changes, change{bytes.Clone(k), data})
		return nil
	})
	if err != nil {
		return false, err
	}
	for _, c := range changes {
		if err := b.Put(c.k, c.v); err != nil {
			return false, err
		}
	}
	return len(changes) > 0, meta.Put(metaRejectedRedacted, []byte{1})
}
