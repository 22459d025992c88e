// Command leadbell shows every SmartLead reply the moment it lands.
//
//	leadbell                 the desktop app (window); without a display, serve
//	leadbell serve           the engine without a window; the UI at http://127.0.0.1:8787
//	leadbell demo            serve against a built-in SmartLead simulator
//	leadbell trigger TYPE    send one signed sample event to a webhook URL
//	leadbell export          write the stored replies (or events) as CSV or JSON
//	leadbell version
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"

	"github.com/leadbell/leadbell/app"
	"github.com/leadbell/leadbell/frontend"
)

// appIcon is the window's icon on Linux.
//
//go:embed build/appicon.png
var appIcon []byte

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed, and asking for it is no failure
		}
		fmt.Fprintln(os.Stderr, "leadbell:", err)
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
	case "":
		cfg, _, err := parseServe("leadbell", args, stderr, false)
		if err != nil {
			return err
		}
		cfg.Logger = log
		return window(ctx, cfg, stdout)
	case "serve":
		cfg, run, err := parseServe("serve", args, stderr, false)
		if err != nil {
			return err
		}
		cfg.Logger = log
		return app.Serve(ctx, cfg, frontend.Dist(), announce(stdout, run.readyFD))
	case "demo":
		cfg, run, err := parseServe("demo", args, stderr, true)
		if err != nil {
			return err
		}
		cfg.Logger = log
		cfg.Demo = true // the session starts the simulator
		if run.gui {
			return window(ctx, cfg, stdout)
		}
		return app.Serve(ctx, cfg, frontend.Dist(), announce(stdout, run.readyFD))
	case "trigger":
		return trigger(ctx, args, stdout, stderr)
	case "export":
		return exportEvents(ctx, args, stdout, stderr)
	case "open":
		return open(ctx, args, stdout, stderr)
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
  leadbell export [--type replies|all|TYPE] [--format csv|json] [--out FILE]
  leadbell open [--print]         open the running Leadbell's inbox in a browser
  leadbell version

Run "leadbell serve -h" for the flags.
`

// window opens the desktop window, or, where there is none to open (no
// display, or a build without it), serves the UI for a browser instead.
func window(ctx context.Context, cfg app.Config, stdout io.Writer) error {
	if !app.HasWindow || !hasDisplay() {
		fmt.Fprintln(stdout, "No desktop display here: running without a window.")
		return app.Serve(ctx, cfg, frontend.Dist(), announce(stdout, 0))
	}
	err := app.Desktop(ctx, cfg, frontend.Dist(), appIcon, func(uiURL string) {
		fmt.Fprintf(stdout, "Leadbell's window is open; the same inbox is at %s in a browser.\n", uiURL)
	})
	if errors.Is(err, app.ErrRestart) {
		return restart()
	}
	if errors.Is(err, app.ErrWokeFirst) {
		fmt.Fprintln(stdout, "Leadbell is already running: its window was brought forward.")
		return nil
	}
	return err
}

func hasDisplay() bool {
	if goruntime.GOOS != "linux" && goruntime.GOOS != "freebsd" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// announce tells where the UI is served: a sentence on w, and, when
// readyFD is a descriptor the caller passed (3 or above), one JSON line on
// it, {"ui": base URL, "link": uiURL}, after which it is closed.
func announce(w io.Writer, readyFD int) func(string) {
	return func(uiURL string) {
		fmt.Fprintf(w, "Leadbell is running. Open %s in your browser.\n", uiURL)
		if readyFD < 3 {
			return
		}
		f := os.NewFile(uintptr(readyFD), "ready")
		if f == nil {
			return
		}
		defer f.Close()
		base := uiURL
		if u, err := url.Parse(uiURL); err == nil {
			base = u.Scheme + "://" + u.Host
		}
		_ = json.NewEncoder(f).Encode(map[string]string{"ui": base, "link": uiURL})
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
