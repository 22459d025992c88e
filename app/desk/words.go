package desk

import (
	"errors"

	"github.com/leadbell/leadbell/app/smartlead"
)

// problem is why an answer was not sent, in words for the user, who keeps
// the text and may send it again.
func problem(err error) string {
	switch {
	case errors.Is(err, ErrSignedOut):
		return "Not signed in to SmartLead: sign in, then send it again."
	case errors.Is(err, smartlead.ErrRateLimited):
		return "SmartLead is rate limiting this API key: send it again in a minute."
	case errors.Is(err, smartlead.ErrNoAPIAccess):
		return "This SmartLead plan has no API access, so Leadbell cannot send answers."
	case errors.Is(err, smartlead.ErrUnauthorized):
		return "SmartLead refused the API key: sign in again, then send it again."
	case errors.Is(err, smartlead.ErrThreadNotFound), errors.Is(err, errNoThread), errors.Is(err, smartlead.ErrNotFound):
		return "SmartLead could not find this conversation (the lead or campaign may be gone)."
	case errors.Is(err, smartlead.ErrUnreachable):
		return "Leadbell could not reach SmartLead: check the connection; SmartLead may not have it. Look in SmartLead before sending it again."
	case errors.Is(err, errInterrupted):
		return "Leadbell was closed while sending this answer, and SmartLead does not show it: send it again."
	}
	return "SmartLead did not take the answer: send it again, or answer in SmartLead."
}
