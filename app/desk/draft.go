package desk

import (
	"errors"
	"strings"
	"time"

	"github.com/leadbell/leadbell/store"
)

// A draft is an answer being written: kept in the store as the user types
// (the UI saves it), so that closing the pane, the window or Leadbell
// loses none of it; gone once the answer is sent to the outbox.

// Draft is what is written so far in answer to a reply.
type Draft struct {
	Body      string    `json:"body"`
	CC        []string  `json:"cc,omitempty"`
	BCC       []string  `json:"bcc,omitempty"`
	Signature bool      `json:"signature"`
	SavedAt   time.Time `json:"saved_at"`
}

func draftDoc(eventID string) store.Doc[Draft] { return store.Doc[Draft]("draft:" + eventID) }

// Draft returns the draft answer to reply eventID; ok is false when there
// is none.
func (d *Desk) Draft(eventID string) (Draft, bool, error) {
	return draftDoc(eventID).Get(d.cfg.Store)
}

// SaveDraft keeps the draft answer to reply eventID; an empty one is
// dropped.
func (d *Desk) SaveDraft(eventID string, dr Draft) (Draft, error) {
	if _, err := d.cfg.Store.Event(eventID); err != nil {
		return Draft{}, err
	}
	if strings.TrimSpace(dr.Body) == "" && len(dr.CC) == 0 && len(dr.BCC) == 0 {
		return Draft{}, d.DropDraft(eventID)
	}
	if len(dr.Body) > maxAnswer {
		return Draft{}, errors.Join(ErrEmpty, errors.New("desk: the draft is too long"))
	}
	dr.SavedAt = time.Now().UTC()
	return dr, draftDoc(eventID).Put(d.cfg.Store, dr)
}

// DropDraft forgets the draft answer to reply eventID.
func (d *Desk) DropDraft(eventID string) error { return draftDoc(eventID).Delete(d.cfg.Store) }
