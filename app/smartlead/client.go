package smartlead

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBaseURL is SmartLead's API base.
const DefaultBaseURL = "https://server.smartlead.ai/api/v1"

// apiMaxBody bounds how much of an answer the client reads.
const apiMaxBody = 8 << 20

// ClientOptions tunes a Client. The zero value is ready to use.
type ClientOptions struct {
	// HTTP is the client used for requests; redirects are never followed
	// whatever its CheckRedirect says, so the key cannot travel on a Referer.
	// Default: a client with a 30 s timeout.
	HTTP *http.Client
	// Logger receives retries; never URLs or keys.
	Logger *slog.Logger
	// MaxRetries bounds the retries of one call (so MaxRetries+1 attempts).
	// 0 means 4; a negative value means no retries.
	MaxRetries int
	// Sleep waits between retries; tests replace it. It must return early
	// with ctx's error when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Limiter paces requests on this side of the wire. Default: 60 requests
	// a minute with a burst of 10, SmartLead's quoted limit. Pass
	// rate.NewLimiter(rate.Inf, 0) to switch pacing off.
	Limiter *rate.Limiter
}

// Client talks to SmartLead's REST API: campaigns, lead categories, the
// per-campaign webhook API (the one attested by code run against real
// accounts) and the global /webhook/... API of SmartLead's docs, as
// docs/smartlead-api.md describes them. A Client is safe for concurrent
// use. The API key travels in the query string, so the client
// never logs a URL and scrubs the key from every error it returns.
type Client struct {
	base       *url.URL
	baseErr    error
	apiKey     string
	http       *http.Client
	log        *slog.Logger
	maxRetries int
	sleep      func(context.Context, time.Duration) error
	limiter    *rate.Limiter
}

// NewClient returns a client for the API at baseURL (DefaultBaseURL when
// empty) authenticating with apiKey. A malformed baseURL is reported by the
// first call.
func NewClient(baseURL, apiKey string, opts ClientOptions) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	log := opts.Logger
	if log != nil {
		log = log.With("component", "smartlead")
	}
	c := &Client{apiKey: apiKey, log: log, maxRetries: opts.MaxRetries,
		sleep: opts.Sleep, limiter: opts.Limiter}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		c.baseErr = errors.New("smartlead: invalid API base URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		c.baseErr = errors.New("smartlead: API base URL must be http(s)://host/...")
	default:
		u.RawQuery, u.Fragment = "", ""
		c.base = u
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if opts.HTTP != nil {
		copied := *opts.HTTP
		hc = &copied
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = hc
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 4
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.sleep == nil {
		c.sleep = apiSleep
	}
	if c.limiter == nil {
		c.limiter = rate.NewLimiter(rate.Every(time.Second), 10)
	}
	return c
}

// call performs a request and decodes a 2xx answer into out (when not nil);
// any other answer becomes an *APIError.
func (c *Client) call(ctx context.Context, op, method, path string, in, out any) error {
	resp, err := c.send(ctx, op, method, path, in)
	if err != nil {
		return err
	}
	if !resp.ok() {
		return c.apiError(op, resp)
	}
	return c.decode(op, resp, out)
}

// apiResponse is a complete answer, body read.
type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r *apiResponse) ok() bool { return r.status >= 200 && r.status < 300 }

// apiError turns a non-2xx answer into an *APIError, telling a route that
// does not exist at all from a missing resource (apiRouteMissing).
func (c *Client) apiError(op string, r *apiResponse) error {
	e := &APIError{Op: op, Status: r.status, routeGone: apiRouteMissing(r.status, r.body),
		Message: apiScrub(apiMessage(r.status, r.body), c.apiKey)}
	if r.status == http.StatusTooManyRequests || r.status >= 500 {
		e.RetryAfter = apiRetryAfter(r.header, r.body, time.Now())
	}
	return e
}

// decode reads a 2xx body into out. Lists may come bare or wrapped in
// {"data": [...]}; both are accepted.
func (c *Client) decode(op string, r *apiResponse, out any) error {
	if out == nil {
		return nil
	}
	body := bytes.TrimSpace(r.body)
	if len(body) > 0 && body[0] == '{' {
		var wrap struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(body, &wrap) == nil && len(wrap.Data) > 0 && wrap.Data[0] == '[' {
			body = wrap.Data
		}
	}
	if err := json.Unmarshal(body, out); err != nil {
		// The JSON error quotes no input beyond a type name or offset.
		return fmt.Errorf("smartlead: %s: unexpected answer: %w", op, err)
	}
	return nil
}

// send performs one API call with pacing and retries and returns the final
// answer whatever its status. Only transport failures and cancellation come
// back as errors, with the URL scrubbed.
func (c *Client) send(ctx context.Context, op, method, path string, in any) (*apiResponse, error) {
	return c.sendMode(ctx, op, method, path, in, false)
}

// sendOnce is send for a call that must not reach SmartLead twice: after a
// transport failure or a 5xx it may have been carried out, so it is not
// tried again; a 429 (refused before anything was done) is.
func (c *Client) sendOnce(ctx context.Context, op, method, path string, in any) (*apiResponse, error) {
	return c.sendMode(ctx, op, method, path, in, true)
}

func (c *Client) sendMode(ctx context.Context, op, method, path string, in any, once bool) (*apiResponse, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	var payload []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("smartlead: %s: %w", op, err)
		}
		payload = b
	}
	// path is already escaped segment by segment by its caller.
	target := c.base.String() + path + "?" + url.Values{"api_key": {c.apiKey}}.Encode()
	idempotent := method == http.MethodGet || method == http.MethodDelete
	for attempt := 0; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("smartlead: %s: waiting for the rate limit: %w", op, err)
		}
		resp, err := c.roundTrip(ctx, method, target, payload)
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, fmt.Errorf("smartlead: %s: %w", op, ctx.Err())
		case err != nil:
			uerr := c.unreachable(op, err)
			if !idempotent || attempt >= c.maxRetries {
				return nil, uerr
			}
			wait = apiBackoff(attempt)
			c.log.Warn("retrying", "op", op, "attempt", attempt+1, "wait", wait, "error", uerr.Error())
		default:
			if !apiShouldRetry(resp.status) || once && resp.status != http.StatusTooManyRequests || attempt >= c.maxRetries {
				return resp, nil
			}
			wait = apiRetryAfter(resp.header, resp.body, time.Now())
			if wait > apiMaxWait {
				return resp, nil // longer than we wait in-line: the caller decides
			}
			if wait == 0 {
				wait = apiBackoff(attempt)
			}
			c.log.Warn("retrying", "op", op, "attempt", attempt+1, "wait", wait, "status", resp.status)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("smartlead: %s: %w", op, err)
		}
	}
}

// roundTrip sends one request and reads the whole answer.
func (c *Client) roundTrip(ctx context.Context, method, target string, payload []byte) (*apiResponse, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "leadbell")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, apiMaxBody))
	if err != nil {
		return nil, err
	}
	return &apiResponse{status: res.StatusCode, header: res.Header, body: b}, nil
}

// unreachable wraps a transport failure as ErrUnreachable without the URL
// that *url.Error would print, and with the key scrubbed all the same.
func (c *Client) unreachable(op string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &apiUnreachableError{op: op, msg: apiScrub(err.Error(), c.apiKey), err: err}
}

// apiID is an id that SmartLead sends as a number or as a string.
type apiID string

// UnmarshalJSON accepts 123, "123" and null.
func (id *apiID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = apiID(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("smartlead: id is neither a number nor a string")
	}
	*id = apiID(n.String())
	return nil
}

// apiWireID renders an id the way SmartLead expects it in a JSON body: a
// number when it is one, else a string.
func apiWireID(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}
