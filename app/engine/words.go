package engine

import (
	"errors"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/tunnel"
)

// The status line is read by a salesperson: it says what happened and
// whether Leadbell carries on by itself, never an error's own text. That
// text, scrubbed of secrets by the packages that make it, goes to
// Status.Detail, which Diagnostics shows, and to the log.

// errSelfTest marks a self-test that did not come back.
var errSelfTest = errors.New("self-test")

// say is what the status line says of err.
func say(err error) string {
	var apiErr *smartlead.APIError
	switch {
	case errors.Is(err, smartlead.ErrRateLimited):
		return "SmartLead is rate limiting this API key."
	case errors.Is(err, smartlead.ErrUnreachable):
		return "Leadbell cannot reach SmartLead (is this computer online?)."
	case errors.Is(err, tunnel.ErrBadAuthtoken):
		return "ngrok does not accept your authtoken: check it in Settings."
	case errors.Is(err, tunnel.ErrUnreachable), errors.Is(err, tunnel.ErrTimeout):
		return "Leadbell cannot reach ngrok (is this computer online?)."
	case errors.Is(err, tunnel.ErrRefused):
		return "ngrok refused to open the connection to this computer."
	case errors.Is(err, errSelfTest):
		return "A test event Leadbell sent to this computer's public address did not come back."
	case errors.As(err, &apiErr) && apiErr.Status >= 500:
		return "SmartLead is having trouble right now (it answered with an error)."
	case errors.As(err, &apiErr):
		return "SmartLead refused a request from Leadbell."
	}
	return "Something went wrong while talking to SmartLead."
}
