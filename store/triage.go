package store

import (
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/leadbell/leadbell/event"
)

// A reply's triage (event.Triage) is the high four bits of the event's
// flags, in its record and its summary, so that the inbox filters on it
// without reading anything else: 0 for none, else 1 + its index in
// event.TriageClasses. Its reason, a sentence, is in bucket "triage",
// seq (8) -> the reason.

var bucketTriage = []byte("triage")

const (
	triageShift = 4
	triageMask  = 0xf << triageShift
)

// triageCode is class's code, 0 when it is not a class.
func triageCode(class string) byte {
	i := slices.Index(event.TriageClasses, class)
	if i < 0 || i+1 > 0xf {
		return 0
	}
	return byte(i+1) << triageShift
}

// triageClass is the class of the flags byte f, "" for none.
func triageClass(f byte) string {
	i := int(f&triageMask>>triageShift) - 1
	if i < 0 || i >= len(event.TriageClasses) {
		return ""
	}
	return event.TriageClasses[i]
}

// SetTriage records what Leadbell makes of a reply: its class (one of
// event.TriageClasses) and why, in words.
func (s *Store) SetTriage(id, class, reason string) (event.Event, error) {
	code := triageCode(class)
	if code == 0 {
		return event.Event{}, fmt.Errorf("store: %q is not a triage class", class)
	}
	return s.mark(id, "triage event", func(w *txn, ev *event.Event) error {
		seq, _ := parseID(ev.ID)
		ev.Triage, ev.TriageReason = class, reason
		if err := w.tx.Bucket(bucketTriage).Put(seqKey(seq), []byte(reason)); err != nil {
			return err
		}
		return w.setTriageFlags(seq, code)
	})
}

// setTriageFlags puts code in the triage bits of event seq's record and
// summary.
func (w *txn) setTriageFlags(seq uint64, code byte) error {
	sk := seqKey(seq)
	v := w.events.Get(sk)
	if len(v) < eventHeaderLen {
		return fmt.Errorf("%w: event %d", errCorrupt, seq)
	}
	rec := append([]byte(nil), v...)
	rec[1] = rec[1]&^triageMask | code
	tk := timeKey(binary.BigEndian.Uint64(rec[2:10]), seq)
	sv := append([]byte(nil), w.byTime.Get(tk)...)
	sum, ok := parseSummary(sv)
	if !ok {
		return fmt.Errorf("%w: summary of event %d", errCorrupt, seq)
	}
	w.recountFlags(sum.isType(event.Replied), sv[0], sv[0]&^triageMask|code)
	sv[0] = sv[0]&^triageMask | code
	if err := w.events.Put(sk, rec); err != nil {
		return err
	}
	return w.byTime.Put(tk, sv)
}

// triageReason is the reason kept for event seq's triage.
func triageReason(tx *bolt.Tx, seq uint64) string {
	if b := tx.Bucket(bucketTriage); b != nil {
		return string(b.Get(seqKey(seq)))
	}
	return ""
}
