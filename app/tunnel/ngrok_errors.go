package tunnel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors of Ngrok, checked with errors.Is. None of them, nor anything
// wrapping them, contains the authtoken.
var (
	// ErrNoAuthtoken means no authtoken was given: nothing was dialed.
	ErrNoAuthtoken = errors.New("tunnel: no ngrok authtoken; add yours in the settings or set NGROK_AUTHTOKEN (https://dashboard.ngrok.com/get-started/your-authtoken)")
	// ErrBadAuthtoken means the authtoken is malformed, or ngrok refused
	// it (reset, revoked, not verified). Retrying will not help.
	ErrBadAuthtoken = errors.New("tunnel: ngrok does not accept this authtoken")
	// ErrBadDomain means the static domain is not a plain host name.
	ErrBadDomain = errors.New("tunnel: not a usable ngrok domain")
	// ErrRefused means ngrok answered but refused the session or the
	// endpoint for another reason than the token: a domain not reserved on
	// this account, a session limit; the message carries ngrok's code.
	ErrRefused = errors.New("tunnel: ngrok refused the tunnel")
	// ErrUnreachable means no session could be made before the deadline:
	// every attempt failed on the way (DNS, connection refused, TLS, a
	// proxy in the way). The message says how the last attempt failed.
	ErrUnreachable = errors.New("tunnel: ngrok cannot be reached")
	// ErrTimeout means the deadline passed while ngrok had not answered at
	// all: the network swallows the connection.
	ErrTimeout = errors.New("tunnel: ngrok did not answer in time")
)

// badTokenCodes are ngrok's codes for an authtoken it will never accept.
// https://ngrok.com/docs/errors
var badTokenCodes = []string{
	"ERR_NGROK_105",  // does not look like an authtoken
	"ERR_NGROK_106",  // an ngrok v1 authtoken
	"ERR_NGROK_107",  // well formed but invalid: reset, revoked, removed from the team
	"ERR_NGROK_4018", // a verified account and authtoken are required
}

// refusal is what ngrok's server said when it refused something: its
// ERR_NGROK code and the first line of its message, already redacted.
type refusal struct {
	code string
	line string
}

// refusalOf finds the answer of ngrok's server in err's chain; ok is false
// when err came from the network or the client instead.
func refusalOf(err error, r redactor) (refusal, bool) {
	var legacy interface {
		error
		ErrorCode() string
	}
	var v2 interface {
		error
		Code() string
	}
	var code, msg string
	switch {
	case errors.As(err, &legacy):
		code, msg = legacy.ErrorCode(), legacy.Error()
	case errors.As(err, &v2):
		code, msg = v2.Code(), v2.Error()
	default:
		return refusal{}, false
	}
	return refusal{code: code, line: r.String(firstLine(msg, code))}, true
}

// badToken reports whether ngrok refused the authtoken itself.
func (f refusal) badToken() bool {
	return slices.Contains(badTokenCodes, f.code) ||
		(f.code == "" && strings.Contains(strings.ToLower(f.line), "authtoken"))
}

// err is the refusal as one of the package's errors.
func (f refusal) err() error {
	kind := ErrRefused
	if f.badToken() {
		kind = ErrBadAuthtoken
	}
	switch {
	case f.code != "" && f.line != "":
		return fmt.Errorf("%w (%s): %s", kind, f.code, f.line)
	case f.code != "":
		return fmt.Errorf("%w (%s)", kind, f.code)
	case f.line != "":
		return fmt.Errorf("%w: %s", kind, f.line)
	}
	return kind
}

// firstLine is the first line of an ngrok message that is neither blank
// nor the bare error code: the summary, before the lines that quote the
// authtoken back.
func firstLine(msg, code string) string {
	for line := range strings.SplitSeq(msg, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && line != code && !strings.HasPrefix(line, "https://ngrok.com/docs/errors") {
			return strings.TrimPrefix(line, "authentication failed: ")
		}
	}
	return ""
}

// classify turns an error of the ngrok client into one of the package's:
// a refusal as ErrBadAuthtoken or ErrRefused, anything else as a redacted
// ErrUnreachable.
func classify(err error, r redactor) error {
	if f, ok := refusalOf(err, r); ok {
		return f.err()
	}
	return fmt.Errorf("%w: %s", ErrUnreachable, r.String(lastCause(err)))
}

// deadlineError explains a connect that ran out of time: ErrUnreachable
// with the last failure when there was one, ErrTimeout otherwise.
func deadlineError(last error, timeout time.Duration, r redactor) error {
	if last == nil {
		return fmt.Errorf("%w: no answer within %s", ErrTimeout, timeout)
	}
	return fmt.Errorf("%w within %s: %s", ErrUnreachable, timeout, r.String(lastCause(last)))
}

// lastCause is the most telling line of a client error: the multi-error
// of a connect loop is reduced to its last non-context member.
func lastCause(err error) string {
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		errs := multi.Unwrap()
		for i := len(errs) - 1; i >= 0; i-- {
			if !isContextErr(errs[i]) {
				return lastCause(errs[i])
			}
		}
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// isContextErr reports whether err only says a context ended.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Describe says in a sentence, for the user, why an ngrok tunnel did not
// open (an error of Ngrok). It never quotes the authtoken.
func Describe(err error) string {
	switch {
	case errors.Is(err, ErrNoAuthtoken):
		return "There is no ngrok token."
	case errors.Is(err, ErrBadAuthtoken):
		return "ngrok does not accept this token: copy it again from your ngrok dashboard."
	case errors.Is(err, ErrBadDomain):
		return "The ngrok domain is not a plain name such as calm-otter.ngrok-free.app."
	case errors.Is(err, ErrRefused):
		return "ngrok refused the tunnel (is the domain reserved on this ngrok account?)."
	case errors.Is(err, ErrUnreachable), errors.Is(err, ErrTimeout):
		return "ngrok cannot be reached: is this computer online?"
	}
	return "ngrok did not connect."
}
