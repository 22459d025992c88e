package tunnel

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// DefaultConnectTimeout bounds how long Ngrok waits for a session and an
// endpoint when NgrokOptions.ConnectTimeout is zero.
const DefaultConnectTimeout = 20 * time.Second

// NgrokOptions configures Ngrok.
type NgrokOptions struct {
	// Authtoken is the ngrok authtoken: the one the user saved in the app
	// (sign-in, settings) or NGROK_AUTHTOKEN. It never appears in an error
	// or a log line.
	Authtoken string
	// Domain is an optional reserved/static ngrok domain, such as
	// "leadbell-jane.ngrok-free.app" (an "https://" prefix is accepted).
	// With one the URL is the same every run and Ephemeral is false, so the
	// webhook can stay registered while Leadbell is closed.
	Domain string
	// ConnectTimeout bounds the whole connect (session and endpoint);
	// DefaultConnectTimeout when zero.
	ConnectTimeout time.Duration
	// Logger receives the tunnel's own lines and the ngrok client's, with
	// the authtoken masked; nothing is logged when nil.
	Logger *slog.Logger
	// OnState is told of every change of the connection after Ngrok has
	// returned: StateReconnecting when the session drops (the client
	// reconnects by itself), StateConnected when it is back (confirm the
	// webhook registration against URL then), StateDisconnected when the
	// client has given up, which is final. Calls come one at a time, in
	// order, from a goroutine of the tunnel's own; none after Close.
	OnState func(state State, err error)

	// ServerAddr replaces ngrok's connect address (host:port), for a
	// private ngrok endpoint or a test server. Empty means ngrok's own.
	ServerAddr string
	// ServerCAs replaces the CAs trusted for ServerAddr's certificate.
	// Nil means ngrok's own CA.
	ServerCAs *x509.CertPool
}

// withDefaults checks o and returns it normalised: authtoken trimmed,
// domain reduced to a lower-case host name, timeout and logger set. It
// dials nothing.
func (o NgrokOptions) withDefaults() (NgrokOptions, error) {
	o.Authtoken = strings.TrimSpace(o.Authtoken)
	if o.Authtoken == "" {
		return o, ErrNoAuthtoken
	}
	if strings.ContainsFunc(o.Authtoken, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		// A pasted "ngrok config add-authtoken ..." line, or two tokens:
		// say so now rather than have ngrok echo it back.
		return o, fmt.Errorf("%w: it contains spaces or control characters; paste the authtoken alone", ErrBadAuthtoken)
	}
	domain, err := normalizeDomain(o.Domain)
	if err != nil {
		return o, err
	}
	o.Domain = domain
	if o.ConnectTimeout < 0 {
		return o, fmt.Errorf("tunnel: ngrok connect timeout %s must not be negative", o.ConnectTimeout)
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.ServerAddr != "" {
		if _, port, err := net.SplitHostPort(o.ServerAddr); err != nil || port == "" {
			return o, fmt.Errorf("tunnel: ngrok server address %q must be host:port", o.ServerAddr)
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// NormalizeDomain turns a reserved ngrok domain as the user typed it
// (https://Name.ngrok-free.app/ included) into a bare lower-case host
// name, or says what is wrong with it (ErrBadDomain). Empty stays empty.
func NormalizeDomain(raw string) (string, error) { return normalizeDomain(raw) }

// normalizeDomain is NormalizeDomain.
func normalizeDomain(raw string) (string, error) {
	d := strings.TrimSpace(raw)
	if d == "" {
		return "", nil
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: %q %s", ErrBadDomain, raw, why)
	}
	if strings.Contains(d, "://") {
		u, err := url.Parse(d)
		if err != nil {
			return bad("is not a URL")
		}
		if u.Scheme != "https" {
			return bad("must be served over https")
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
			return bad("must be a domain alone, without a path or query")
		}
		d = u.Host
	}
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	switch {
	case strings.ContainsAny(d, ":/?#@"):
		return bad("must be a domain alone, without a port or path")
	case strings.Contains(d, "*"):
		return bad("is a wildcard; give the one domain to listen on")
	case net.ParseIP(d) != nil:
		return bad("is an IP address, not a domain")
	case len(d) > 253:
		return bad("is longer than 253 characters")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return bad("needs a dot, such as name.ngrok-free.app")
	}
	for _, l := range labels {
		if !validLabel(l) {
			return bad("has a label that is not letters, digits and inner hyphens")
		}
	}
	return d, nil
}

// validLabel reports whether l is a DNS label: 1 to 63 letters, digits
// and hyphens, neither first nor last a hyphen.
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
