// Package tunnel hands the receiver a listener and the public URL that
// reaches it. It knows nothing of HTTP or SmartLead: the receiver is served
// on whatever listener a tunnel gives.
package tunnel

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Tunnel is a listener plus the public base URL that reaches it.
type Tunnel interface {
	// Listener accepts the deliveries that reach the public URL.
	Listener() net.Listener
	// URL is the public base URL, without a trailing slash.
	URL() string
	// Ephemeral reports whether the URL will change next time: a webhook
	// pointing at an ephemeral URL is deleted on quit.
	Ephemeral() bool
	// Name is "none" or "ngrok", for the status.
	Name() string
	// State is the connection as of now and, unless connected, why not.
	// A local tunnel is always connected.
	State() (State, error)
	Close() error
}

// State is a tunnel's connection, for the window and the tray.
type State string

// The states of a tunnel's connection.
const (
	// StateConnected: the public URL reaches the listener.
	StateConnected State = "connected"
	// StateReconnecting: the session dropped and the client is making a
	// new one by itself; deliveries cannot reach the listener meanwhile.
	StateReconnecting State = "reconnecting"
	// StateDisconnected: closed, or given up for good (ngrok no longer
	// accepts the authtoken). Only a new tunnel brings the URL back.
	StateDisconnected State = "disconnected"
)

// Local listens on addr; publicURL is the base URL the user has arranged to
// reach it (a reverse proxy, their own tunnel). Without one, the listener's
// own address is used, which is enough for a simulator on this machine.
func Local(addr, publicURL string) (Tunnel, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tunnel: unable to listen on %s: %w", addr, err)
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ln.Close()
		return nil, fmt.Errorf("tunnel: public URL %q must be an absolute http(s) URL", publicURL)
	}
	return &local{ln: ln, url: strings.TrimRight(publicURL, "/")}, nil
}

type local struct {
	ln  net.Listener
	url string
}

func (l *local) Listener() net.Listener { return l.ln }
func (l *local) URL() string            { return l.url }
func (l *local) Ephemeral() bool        { return false }
func (l *local) Name() string           { return "none" }
func (l *local) State() (State, error)  { return StateConnected, nil }
func (l *local) Close() error           { return l.ln.Close() }
