package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/api"
)

// UI is the local UI and JSON API served over loopback TCP.
type UI struct {
	// URL opens the UI in a browser: the address with ?token=, which sets
	// the browser's cookie (see api.TokenGate).
	URL    string
	server *http.Server
	stop   context.CancelFunc
	errc   chan error
}

// ServeUI serves h (the local API and UI) on addr, with the Host check and
// the UI token kept in dataDir (made the first time). An address that is
// not loopback is served, since the user asked for it, with a warning.
func ServeUI(addr, dataDir string, h http.Handler, log *slog.Logger) (*UI, error) {
	token, err := api.LoadToken(dataDir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("app: unable to serve the UI on %s: %w", addr, err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	port := strconv.Itoa(tcp.Port)
	// On loopback the Host must be too (no DNS rebinding). An address the
	// user chose beyond it is reached by other names, so there only the
	// token guards the API, and the log says so.
	handler := api.HostCheck(api.TokenGate(token, api.CookieName(port), h))
	host := tcp.IP.String()
	switch {
	case tcp.IP.IsUnspecified():
		host = "127.0.0.1" // every address: this computer's is one
		fallthrough
	case !tcp.IP.IsLoopback():
		log.Warn("the inbox and its API are served beyond this computer: anyone on the network with the link can read your replies",
			"ui", ln.Addr().String())
		handler = api.TokenGate(token, api.CookieName(port), h)
	}
	ctx, stop := context.WithCancel(context.Background())
	ui := &UI{
		URL:  "http://" + net.JoinHostPort(host, port) + "/?token=" + token,
		stop: stop,
		errc: make(chan error, 1),
		server: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return ctx },
		},
	}
	go func() { ui.errc <- serveUntilClosed(ui.server, ln) }()
	return ui, nil
}

// Stop ends the event streams and then the server.
func (ui *UI) Stop() {
	ui.stop()
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	ui.server.Shutdown(grace)
}
