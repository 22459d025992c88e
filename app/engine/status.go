package engine

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/store"
)

// What the status says beyond its state: SmartLead's confirmation that it
// reaches Leadbell, and warnings that do not stop it.

// confirmedDoc is the saved Confirmation.
var confirmedDoc = store.Doc[Confirmation]("confirmed")

// Confirmation records when SmartLead itself first reached a webhook
// address: its test event after a save, or any delivery.
type Confirmation struct {
	URL string    `json:"url"`
	At  time.Time `json:"at"`
}

// Warning codes the engine sets (api.Warn*).
const (
	warnPlainHTTP      = api.WarnPlainHTTP
	warnSecretMismatch = api.WarnSecretMismatch
	warnScopeFallback  = api.WarnScopeFallback
)

// confirmedLocked reports whether SmartLead confirmed the current address;
// e.mu must be held.
func (e *Engine) confirmedLocked() bool {
	return !e.view.confirmed.At.IsZero() && e.view.confirmed.URL == e.HookURL()
}

// delivered is the receiver's report of an accepted delivery: the first
// one to the current address confirms it, and the status says so.
func (e *Engine) delivered(test bool) {
	e.mu.Lock()
	if e.confirmedLocked() {
		e.mu.Unlock()
		return
	}
	e.view.confirmed = Confirmation{URL: e.HookURL(), At: time.Now().UTC()}
	c := e.view.confirmed
	if e.view.status.State == api.StateListening {
		e.view.status.Message = e.listeningMessageLocked()
	}
	e.mu.Unlock()
	e.cfg.Logger.Info("SmartLead reached Leadbell", "test_event", test)
	go func() { // OnDelivery must not block on a commit
		if err := confirmedDoc.Put(e.store, c); err != nil {
			e.cfg.Logger.Warn("unable to save the confirmation", "error", err)
		}
	}()
}

// secretMismatch is the receiver's report of a delivery whose secret did
// not match the webhook secret.
func (e *Engine) secretMismatch(m webhook.Mismatch) {
	via := "in its secret_key field"
	if m.Via != "secret_key" {
		via = "signed in its " + m.Via + " header"
	}
	e.setWarning(warnSecretMismatch, fmt.Sprintf("SmartLead sends a different secret (%s) than the one Leadbell was started with, so Leadbell cannot check it. Events still arrive: Leadbell's private address shows they come from SmartLead. Correct the secret in SmartLead, or start Leadbell without a webhook secret.", via))
}

// setWarning sets the warning of code to msg; "" clears it.
func (e *Engine) setWarning(code, msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.view.warnings[code] == msg {
		return
	}
	if msg == "" {
		delete(e.view.warnings, code)
	} else {
		e.view.warnings[code] = msg
		e.cfg.Logger.Info("warning", "code", code)
	}
}

// startingNote updates the message while the state is starting (a first
// registration can take a minute at SmartLead's pace); it never changes
// another state's.
func (e *Engine) startingNote(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.view.status.State == api.StateStarting {
		e.view.status.Message = msg
	}
}

// setOthers keeps the other tools' webhooks found on the last full pass.
func (e *Engine) setOthers(o []api.OtherWebhook) {
	e.mu.Lock()
	e.view.others = o
	e.mu.Unlock()
}

// statusExtrasLocked adds the confirmation and the warnings to st; e.mu
// must be held.
func (e *Engine) statusExtrasLocked(st *api.Status) {
	if e.confirmedLocked() {
		at := e.view.confirmed.At
		st.ConfirmedAt = &at
	}
	st.Warnings = []api.Warning{}
	for _, code := range slices.Sorted(maps.Keys(e.view.warnings)) {
		st.Warnings = append(st.Warnings, api.Warning{Code: code, Message: e.view.warnings[code]})
	}
}
