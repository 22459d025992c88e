package engine

import (
	"context"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/smartlead"
)

// The engine's side of the catch-up after downtime (package catchup): the
// watch tells it of each check (engine.go), and it asks the engine for
// what follows.

// catchUpHost is the engine as the catch-up sees it (catchup.Host).
type catchUpHost struct{ e *Engine }

func (h catchUpHost) Client() *smartlead.Client { return h.e.api() }

func (h catchUpHost) RepairWebhooks(ctx context.Context) error { return h.e.register(ctx, regRepair) }

func (h catchUpHost) Scope() []string {
	h.e.mu.Lock()
	defer h.e.mu.Unlock()
	if s := h.e.settings.Scope; !s.All && len(s.Campaigns) > 0 {
		return s.Campaigns
	}
	return nil
}

func (h catchUpHost) Note(note string) { h.e.setNote(note) }

func (h catchUpHost) LastSelfTest() time.Time {
	rec, _, err := selfTestDoc.Get(h.e.store)
	if err != nil {
		h.e.cfg.Logger.Warn("unable to read the last self-test", "error", err)
	}
	return rec.LastSelfTestAt
}

// setNote sets what the status says beside "listening" while catching up,
// and shows it at once if the state is listening (never making it so).
func (e *Engine) setNote(note string) {
	e.mu.Lock()
	e.view.note = note
	msg := ""
	if e.view.status.State == api.StateListening && e.view.status.Message != e.listeningMessageLocked() {
		msg = e.listeningMessageLocked()
		e.view.status.Message = msg
	}
	e.mu.Unlock()
	if msg != "" {
		e.cfg.Logger.Info("state", "state", api.StateListening, "message", msg)
	}
}

// listeningMessage is the status message of the listening state.
func (e *Engine) listeningMessage() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.listeningMessageLocked()
}

func (e *Engine) listeningMessageLocked() string {
	base := "Listening. Waiting for SmartLead's first event to confirm it reaches this computer."
	if e.confirmedLocked() {
		base = "Listening. SmartLead's events reach Leadbell."
	}
	if e.view.note == "" {
		return base
	}
	return base + " " + e.view.note
}
