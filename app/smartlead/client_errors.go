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
	// ErrUnsupported means the account's API has no route for the call (a
	// 405, or a 404 that is the router's, not the API's: see
	// apiRouteMissing).
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
// bodies are not uniform: {"message": "..."}, {"error": "..."}, and the rate
// limiter's nested {"error": {"code", "message", "retry_after"}}
// (docs/smartlead-api.md, "Rate limits").
type apiErrorBody struct {
	Message    any `json:"message"`
	Error      any `json:"error"`
	RetryAfter any `json:"retry_after"`
}

// nested returns the body's "error" object, when it is one.
func (b apiErrorBody) nested() (apiErrorBody, bool) {
	m, ok := b.Error.(map[string]any)
	if !ok {
		return apiErrorBody{}, false
	}
	return apiErrorBody{Message: m["message"], Error: m["code"], RetryAfter: m["retry_after"]}, true
}

// text is the body's human message: "message", then "error" (or the nested
// error's message, then its code).
func (b apiErrorBody) text() string {
	if msg := apiString(b.Message); msg != "" {
		return msg
	}
	if n, ok := b.nested(); ok {
		return n.text()
	}
	return apiString(b.Error)
}

// apiMessage picks the human message out of an error body (see
// apiErrorBody.text), else the status text. It is cut short and stripped of
// control characters: the body is the server's and could hold anything.
func apiMessage(status int, body []byte) string {
	var b apiErrorBody
	msg := ""
	if json.Unmarshal(body, &b) == nil {
		msg = b.text()
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

// routerMessage matches what a router says about a path it has no route
// for: Express's "Cannot POST /api/v1/webhook/create", which some gateways
// wrap in JSON, or a bare "Not Found".
var routerMessage = regexp.MustCompile(`^(?i:cannot (get|post|put|patch|delete|head|options) /|not found\.?$)`)

// apiRouteMissing tells a missing route from a missing resource: the route
// is missing on a 405, and on any 404 unless its body is a JSON object
// whose message names a missing thing in the API's own words
// ({"message": "Webhook not found"}). HTML (Express's default page), plain
// text, an empty body and a JSON message that is the router's own
// ({"message": "Cannot POST /api/v1/webhook/create"}, "Not Found") all mean
// the route does not exist. It decides one answer; nothing pins an
// account to an API because of it.
func apiRouteMissing(status int, body []byte) bool {
	switch status {
	case http.StatusMethodNotAllowed:
		return true
	case http.StatusNotFound:
		var b apiErrorBody
		if json.Unmarshal(body, &b) != nil {
			return true
		}
		msg := strings.TrimSpace(b.text())
		return msg == "" || routerMessage.MatchString(msg)
	}
	return false
}
