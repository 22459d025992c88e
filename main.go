// Command leadbell shows every SmartLead reply the moment it lands.
//
//	leadbell                 the desktop app (for now: serve, and open the printed address)
//	leadbell serve           the engine without a window; the UI at http://127.0.0.1:8787
//	leadbell demo            serve against a built-in SmartLead simulator
//	leadbell trigger TYPE    send one signed sample event to a webhook URL
//	leadbell version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/leadbell/leadbell/app"
	"github.com/leadbell/leadbell/app/smartlead/smartleadtest"
	"github.com/leadbell/leadbell/frontend"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "leadbell:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	log := newLogger(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "", "serve":
		cfg, err := parseServe("serve", args, stderr, false)
		if err != nil {
			return err
		}
		cfg.Logger = log
		return app.Serve(ctx, cfg, frontend.Dist(), announce(stdout))
	case "demo":
		cfg, err := parseServe("demo", args, stderr, true)
		if err != nil {
			return err
		}
		cfg.Logger = log
		return app.Demo(ctx, cfg, frontend.Dist(), smartleadtest.StreamOptions{}, announce(stdout))
	case "trigger":
		return trigger(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "leadbell", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

const usage = `Leadbell shows every SmartLead reply the moment it lands.

Usage:
  leadbell serve [flags]          the engine without a window; the UI at http://127.0.0.1:8787
  leadbell demo [flags]           serve against a built-in SmartLead simulator
  leadbell trigger TYPE --url URL [--secret S] [--shape spec|live]
  leadbell version

Run "leadbell serve -h" for the flags.
`

func announce(w io.Writer) func(string) {
	return func(uiURL string) {
		fmt.Fprintf(w, "Leadbell is running. Open %s in your browser.\n", uiURL)
	}
}

func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(os.Getenv("LEADBELL_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// defaultDataDir is the OS user config dir's leadbell folder (demo data
// lives apart, in its demo subfolder).
func defaultDataDir(demo bool) string {
	base, err := os.UserConfigDir()
	if err != nil {
		base = "."
	}
	dir := filepath.Join(base, "leadbell")
	if demo {
		dir = filepath.Join(dir, "demo")
	}
	return dir
}
