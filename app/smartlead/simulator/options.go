package simulator

import (
	"log/slog"
	"time"
)

// Family is the kind of account the fake plays: which webhook APIs it has.
type Family int

// Account kinds. The zero value is the attested one: third-party code run
// against real accounts only ever uses the per-campaign API
// (docs/smartlead-api.md, "Registering a webhook").
const (
	// FamilyLive has the per-campaign webhook API only; every global
	// /webhook/... route is missing.
	FamilyLive Family = iota
	// FamilyBoth has the per-campaign API and the global one in the form
	// SmartLead's current docs give (POST /webhook/create with a string
	// association_type, PUT /webhook/update/{id}, DELETE /webhook/delete).
	FamilyBoth
)

// String names the account kind.
func (f Family) String() string {
	if f == FamilyBoth {
		return "both"
	}
	return "live"
}

// Shape says which payload shape deliveries use.
type Shape int

// Shapes. The zero value mixes them, event by event.
const (
	ShapeMixed Shape = iota
	ShapeSpec        // nested, signed with X-Smartlead-Signature
	ShapeLive        // flat, secret in "secret_key"
)

// String names the shape.
func (s Shape) String() string {
	switch s {
	case ShapeSpec:
		return "spec"
	case ShapeLive:
		return "live"
	}
	return "mixed"
}

// Options configure a Server. The zero value is a sensible fake of an
// account with the per-campaign webhook API only.
type Options struct {
	Family Family
	// MissingRouteJSON makes a missing route answer a JSON 404
	// {"message": "Cannot POST /api/v1/..."}, as some gateways in front of
	// Express do, instead of Express's own HTML page.
	MissingRouteJSON bool
	Shape            Shape
	// Secret is the webhook secret: spec-shape deliveries carry
	// X-Smartlead-Signature: sha256=<hex HMAC of the raw body>, live-shape
	// ones "secret_key" in the body. Empty sends them unsigned. Test
	// events ignore it: they carry the dashboard's literal "secretkey".
	Secret string
	Seed   int64
	Logger *slog.Logger
	// Categories are the account's lead categories; nil means SmartLead's
	// defaults (DefaultCategories).
	Categories []Category
	// NoTestEvents stops the test event SmartLead sends to a webhook's URL
	// each time it is saved, for tests that count deliveries.
	NoTestEvents bool
	// RetryDelays are the waits before each retry of a failed delivery.
	// nil means the spec's 1m, 5m, 15m, 1h, 6h; an empty slice, no retries.
	RetryDelays []time.Duration
	// DisableAfter consecutive failed attempts disable a webhook. Default 5.
	DisableAfter int
	// DuplicateRate is the chance a delivered event is delivered again;
	// OutOfOrderRate the chance Run holds an event back behind the next.
	DuplicateRate, OutOfOrderRate float64
	// DeliveryTimeout bounds one delivery attempt. Default 30 s.
	DeliveryTimeout time.Duration
}
