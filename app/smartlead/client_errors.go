package smartlead

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Sentinel errors of the API client, matched with errors.Is. An *APIError
// matches the one its status stands for.
var (
	// ErrUnauthorized means SmartLead refused the API key (401).
	ErrUnauthorized = errors.New("smartlead: API key refused")
	// ErrNoAPIAccess means the key is valid but the plan has no API access (403).
	ErrNoAPIAccess = errors.New("smartlead: no API access on this plan")
	// ErrNotFound means the thing asked for does not exist (404), for
	// instance a webhook deleted behind Leadbell's back.
	ErrNotFound = errors.New("smartlead: not found")
	// ErrRateLimited means SmartLead still answered 429 after the retries.
	ErrRateLimited = errors.New("smartlead: rate limited")
	// ErrUnreachable means SmartLead could not be reached at all (DNS,
	// refused connection, timeout, broken answer).
	ErrUnreachable = errors.New("smartlead: unreachable")
	// ErrCampaignRequired means the account only offers the per-campaign
	// webhook API, so a user-level webhook cannot be registered: register one
	// per campaign instead.
	ErrCampaignRequired = errors.New("smartlead: this account only supports per-campaign webhooks")
	// ErrUnsupported means the account's API has no route for the call (404
	// with no JSON message, or 405) in any family the client knows.
	ErrUnsupported = errors.New("smartlead: call not offered by this API")
)

// APIError is a non-2xx answer from SmartLead. Message is the server's own
// words (its "message", else "error", else the status text), with the API
// key scrubbed out.
type APIError struct {
	Op         string
	Status     int
	Message    string
	RetryAfter time.Duration // how long SmartLead asked us to wait, if it did
	routeGone  bool          // the route itself does not exist (see apiRouteMissing)
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("smartlead: %s: %d %s", e.Op, e.Status, e.Message)
}

// Is lets errors.Is match an APIError against the sentinel its status stands for.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrNoAPIAccess:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound && !e.routeGone
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrUnsupported:
		return e.routeGone
	}
	return false
}

// apiUnreachableError is a transport failure with the request URL (and so
// the API key) removed: Go's *url.Error prints the full URL.
type apiUnreachableError struct {
	op  string
	msg string // already scrubbed
	err error  // the cause without its URL, for errors.Is (timeouts, ...)
}

func (e *apiUnreachableError) Error() string {
	return fmt.Sprintf("smartlead: %s: unreachable: %s", e.op, e.msg)
}

func (e *apiUnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.err} }

// apiKeyParam matches an api_key query parameter wherever it appears, in
// case some layer below us quotes a URL in its error.
var apiKeyParam = regexp.MustCompile(`(?i)api_key=[^&\s"']*`)

// apiScrub removes the API key, and anything that looks like an api_key
// parameter, from a string that is about to become part of an error or log.
// Keys too short to be real (SmartLead's are ~40 characters) are left to
// the parameter rule, so they do not mangle ordinary words.
func apiScrub(s, key string) string {
	if len(key) >= 8 {
		s = strings.ReplaceAll(s, key, "[redacted]")
	}
	return apiKeyParam.ReplaceAllString(s, "api_key=[redacted]")
}

// apiErrorBody is the part of an error answer we read. SmartLead's error
// bodies are not uniform.
type apiErrorBody struct {
	Message    any `json:"message"`
	Error      any `json:"error"`
	RetryAfter any `json:"retry_after"`
}

// apiMessage picks the human message out of an error body: "message", then
// "error", then the status text. It is cut short and stripped of control
// characters: the body is the server's and could hold anything.
func apiMessage(status int, body []byte) string {
	var b apiErrorBody
	msg := ""
	if json.Unmarshal(body, &b) == nil {
		msg = apiString(b.Message)
		if msg == "" {
			msg = apiString(b.Error)
		}
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	msg = strings.TrimSpace(msg)
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return msg
}

// apiString renders a JSON message field, which is usually a string but
// sometimes an object or a list of validation errors.
func apiString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
}

// apiRouteMissing tells a missing route from a missing resource. The rule:
//   - 405 always means the route does not exist (for that method);
//   - a 404 whose body is a JSON object carrying "message" or "error" is the
//     API speaking about a resource (e.g. {"message":"Webhook not found"});
//   - any other 404 (empty, HTML such as Express's "Cannot GET /...", plain
//     text) comes from the router: the route is missing.
//
// Once a family has answered successfully, the caller treats every 404 from
// it as a missing resource and does not ask this function.
func apiRouteMissing(status int, body []byte) bool {
	switch status {
	case http.StatusMethodNotAllowed:
		return true
	case http.StatusNotFound:
		var b apiErrorBody
		if json.Unmarshal(body, &b) != nil {
			return true
		}
		return apiString(b.Message) == "" && apiString(b.Error) == ""
	}
	return false
}
