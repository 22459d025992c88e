package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The outbox: the answers the user sent from Leadbell, from the moment the
// Send is clicked (so an undo window, a restart or a crash loses none)
// until SmartLead took them, or refused. Bucket "outbox", id (8, big
// endian) -> JSON OutboxEntry. The desk (app/desk) sends them; the store
// only keeps them, and changes each in one transaction (UpdateOutbox), so
// that "sending" is on disk before the call to SmartLead and an answer is
// never sent twice for one click.

var bucketOutbox = []byte("outbox")

// OutboxState is where an answer is on its way.
type OutboxState string

// The states of an answer.
const (
	OutboxWaiting   OutboxState = "waiting"   // until SendAt: the user may still cancel
	OutboxSending   OutboxState = "sending"   // the call to SmartLead began
	OutboxSent      OutboxState = "sent"      // SmartLead took it
	OutboxFailed    OutboxState = "failed"    // SmartLead refused it, or could not be asked; Problem says why
	OutboxCancelled OutboxState = "cancelled" // the user took it back in time
)

// OutboxEntry is one answer.
type OutboxEntry struct {
	ID string `json:"id"`
	// EventID is the reply answered; CampaignID and LeadID are its.
	EventID    string `json:"event_id"`
	CampaignID string `json:"campaign_id"`
	LeadID     string `json:"lead_id"`
	// Body is the answer as the user typed it (plain text).
	Body      string   `json:"body"`
	CC        []string `json:"cc,omitempty"`
	BCC       []string `json:"bcc,omitempty"`
	Signature bool     `json:"signature"`

	CreatedAt time.Time   `json:"created_at"`
	SendAt    time.Time   `json:"send_at"`
	State     OutboxState `json:"state"`
	// Attempts counts the calls to SmartLead begun.
	Attempts int `json:"attempts,omitempty"`
	// SentAt is when SmartLead took it; Problem, why it failed, in words.
	SentAt  time.Time `json:"sent_at,omitzero"`
	Problem string    `json:"problem,omitempty"`
}

// Finished reports whether nothing more will happen to the answer.
func (e OutboxEntry) Finished() bool {
	return e.State == OutboxSent || e.State == OutboxFailed || e.State == OutboxCancelled
}

// AddOutbox keeps a new answer (its ID is given here) and returns it once
// that is on disk.
func (s *Store) AddOutbox(e OutboxEntry) (OutboxEntry, error) {
	o := &outboxOp{entry: e, add: true, done: make(chan error, 1)}
	return s.runOutbox(o, "keep an answer")
}

// UpdateOutbox changes the answer id in one transaction: change gets it as
// kept and edits it; an error from change leaves it as it was and is
// returned. A missing answer is ErrNotFound.
func (s *Store) UpdateOutbox(id string, change func(*OutboxEntry) error) (OutboxEntry, error) {
	seq, ok := parseID(id)
	if !ok {
		return OutboxEntry{}, fmt.Errorf("%w: answer %q", ErrNotFound, id)
	}
	o := &outboxOp{seq: seq, change: change, done: make(chan error, 1)}
	return s.runOutbox(o, "update an answer")
}

func (s *Store) runOutbox(o *outboxOp, what string) (OutboxEntry, error) {
	if err := s.submit(context.Background(), o); err != nil {
		return OutboxEntry{}, err
	}
	if err := <-o.done; err != nil {
		return OutboxEntry{}, fmt.Errorf("store: unable to %s: %w", what, err)
	}
	if o.err != nil {
		return OutboxEntry{}, o.err
	}
	return o.entry, nil
}

// Outbox returns every answer kept, oldest first.
func (s *Store) Outbox() ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var e OutboxEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: answer %x", errCorrupt, k)
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the outbox: %w", err)
	}
	return out, nil
}

// OutboxEntry returns the answer id.
func (s *Store) OutboxEntry(id string) (OutboxEntry, error) {
	seq, ok := parseID(id)
	if !ok {
		return OutboxEntry{}, fmt.Errorf("%w: answer %q", ErrNotFound, id)
	}
	var e OutboxEntry
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOutbox).Get(seqKey(seq))
		if v == nil {
			return fmt.Errorf("%w: answer %q", ErrNotFound, id)
		}
		return json.Unmarshal(v, &e)
	})
	return e, err
}

// PruneOutbox forgets the finished answers created before before, and
// returns how many.
func (s *Store) PruneOutbox(before time.Time) (int, error) {
	o := &outboxOp{prune: before, done: make(chan error, 1)}
	if _, err := s.runOutbox(o, "prune the outbox"); err != nil {
		return 0, err
	}
	return o.pruned, nil
}

// outboxOp adds an entry, changes one, or prunes the finished ones.
type outboxOp struct {
	entry  OutboxEntry
	add    bool
	seq    uint64
	change func(*OutboxEntry) error
	prune  time.Time
	pruned int
	err    error // the request's own outcome (ErrNotFound, change's error)
	done   chan error
}

func (o *outboxOp) size() int        { return 1 }
func (o *outboxOp) finish(err error) { o.done <- err }

func (o *outboxOp) apply(w *txn) error {
	b := w.tx.Bucket(bucketOutbox)
	switch {
	case o.add:
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		o.entry.ID = formatID(seq)
		return putOutbox(b, seq, o.entry)
	case o.change != nil:
		v := b.Get(seqKey(o.seq))
		if v == nil {
			o.err = fmt.Errorf("%w: answer %q", ErrNotFound, formatID(o.seq))
			return nil
		}
		var e OutboxEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("%w: answer %d", errCorrupt, o.seq)
		}
		if err := o.change(&e); err != nil {
			o.err = err
			return nil
		}
		o.entry = e
		return putOutbox(b, o.seq, e)
	}
	var err error
	o.pruned, err = deleteWhere(b, func(_, v []byte) bool {
		var e OutboxEntry
		return json.Unmarshal(v, &e) == nil && e.Finished() && e.CreatedAt.Before(o.prune)
	})
	return err
}

func putOutbox(b *bolt.Bucket, seq uint64, e OutboxEntry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(seqKey(seq), v)
}
