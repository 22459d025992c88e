package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// MaxConns caps the open connections of the receiver's listener; past it
// the oldest connections without a request in progress are closed (see
// connLimit).
const MaxConns = 1024

// ServerConfig configures a Server.
type ServerConfig struct {
	// Handler is the receiver.
	Handler http.Handler
	// Listener is where deliveries arrive (the tunnel's).
	Listener net.Listener
	// MaxConns caps the open connections (MaxConns when zero).
	MaxConns int
	// Limits are the limits in front of the receiver (see Limit).
	Limits LimitConfig
	// TrustForwarded believes the last X-Forwarded-For entry, which ngrok
	// appends: set it only behind ngrok (see TrustForwarded).
	TrustForwarded bool
}

// Server serves the receiver with limits suited to a public URL: at most
// MaxConns connections, headers within 5 s, a body within
// Limits.BodyTimeout, and a cap on the deliveries in progress (Limit).
// Slow, huge or numerous requests cannot hold the receiver for long.
type Server struct {
	server *http.Server
	conns  *connLimit
	limits *Limiter
}

// NewServer makes the receiver's server; Serve serves it.
func NewServer(cfg ServerConfig) *Server {
	if cfg.Limits.Logger == nil {
		cfg.Limits.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = MaxConns
	}
	conns := newConnLimit(cfg.Listener, cfg.MaxConns, cfg.Limits.Logger)
	cfg.Limits.OnBody = conns.body
	lim := Limit(cfg.Handler, cfg.Limits)
	var h http.Handler = lim
	if cfg.TrustForwarded {
		h = TrustForwarded(h)
	}
	return &Server{
		server: &http.Server{
			Handler:           h,
			ConnState:         conns.track,
			ConnContext:       conns.withConn,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       20 * time.Second, // a backstop: the limiter sets each body's deadline
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       30 * time.Second,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          slog.NewLogLogger(cfg.Limits.Logger.Handler(), slog.LevelDebug),
		},
		conns:  conns,
		limits: lim,
	}
}

// Serve serves until Shutdown or Close; it returns nil then.
func (s *Server) Serve() error {
	if err := s.server.Serve(s.conns); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webhook: server stopped: %w", err)
	}
	return nil
}

// Shutdown waits for the deliveries in flight to finish, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.server.Shutdown(ctx) }

// Close closes every connection at once.
func (s *Server) Close() error { return s.server.Close() }

// Stats reports the limiter's answers and how many idle connections were
// closed for room.
func (s *Server) Stats() (LimitStats, uint64) { return s.limits.Stats(), s.conns.evicted.Load() }
