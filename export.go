package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leadbell/leadbell/app"
	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/export"
	"github.com/leadbell/leadbell/store"
)

// exportLockWait is how long export waits for the store's lock before it
// asks the running Leadbell that holds it instead.
const exportLockWait = 500 * time.Millisecond

// exportEvents writes stored events as CSV or JSON. It reads the store
// itself; while a running Leadbell holds the store's lock, it gets the same
// bytes from that Leadbell's local API (GET /api/export) instead.
func exportEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("export", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dataDir := flags.String("data", env("LEADBELL_DATA", defaultDataDir(false)), "where leadbell.db lives")
	uiAddr := flags.String("ui", "127.0.0.1:8787", "the UI address of the running Leadbell, asked while it holds the store")
	typ := flags.String("type", "replies", "replies, all, or an event type (EMAIL_OPENED, bounce, ...)")
	format := flags.String("format", "csv", "csv or json (one array of events)")
	campaign := flags.String("campaign", "", "only this campaign ID")
	since := flags.String("since", "", "only events from this date (2026-11-01) or RFC 3339 time on")
	until := flags.String("until", "", "only events up to this date (inclusive) or before this RFC 3339 time")
	raw := flags.Bool("raw", false, "json: add each event's payload as received")
	out := flags.String("out", "", "write to this file (default: standard output)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadbell export [--type replies|all|TYPE] [--format csv|json] [--campaign ID] [--since DATE] [--until DATE] [--out FILE]")
		fmt.Fprintln(stderr, "Writes the stored events, newest first. While Leadbell runs, they come from its local API at --ui.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("export takes no arguments, got %q", flags.Arg(0))
	}
	// The flags are the API's query: one parser for both ways in.
	q := url.Values{"type": {*typ}, "format": {*format}, "campaign": {*campaign}, "since": {*since}, "until": {*until}}
	if *raw {
		q.Set("raw", "1")
	}
	o, err := export.ParseQuery(q)
	if err != nil {
		return err
	}

	dst := stdout
	var file *atomicFile
	if *out != "" {
		if file, err = createAtomic(*out); err != nil {
			return err
		}
		defer file.discard()
		dst = file
	}
	via, err := exportTo(ctx, dst, *dataDir, *uiAddr, o)
	if err != nil {
		return err
	}
	if file != nil {
		if err := file.commit(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Exported to %s%s.\n", *out, via)
	}
	return nil
}

// exportTo writes the export of o to w from the store in dataDir, or, when a
// running Leadbell holds it, from that Leadbell's API at uiAddr; via says
// which, for the summary.
func exportTo(ctx context.Context, w io.Writer, dataDir, uiAddr string, o export.Options) (via string, err error) {
	path := filepath.Join(dataDir, app.DBFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		// Opening would create an empty store; say what is missing instead.
		return "", fmt.Errorf("no Leadbell data in %s (pass --data DIR)", dataDir)
	}
	st, err := store.Open(path, store.Options{Timeout: exportLockWait})
	if errors.Is(err, store.ErrLocked) {
		token, terr := api.ReadToken(dataDir)
		if terr != nil {
			return "", fmt.Errorf("the store is in use by a running Leadbell, whose UI token cannot be read: %w", terr)
		}
		return fetchExport(ctx, w, uiAddr, token, o)
	}
	if err != nil {
		return "", err
	}
	defer st.Close()
	_, err = export.Write(ctx, w, st, o)
	return "", err
}

// fetchExport copies the export of o from the Leadbell serving its UI at
// addr (host:port or a URL) to w, with the UI token of its data directory.
func fetchExport(ctx context.Context, w io.Writer, addr, token string, o export.Options) (via string, err error) {
	base := strings.TrimSuffix(addr, "/")
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	busy := "the store is in use by a running Leadbell, and"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/export?"+o.Values().Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("%s --ui %q is no address: %w", busy, addr, err)
	}
	req.Header.Set("User-Agent", "leadbell-export")
	req.Header.Set("Authorization", "Bearer "+token)
	// No overall timeout: a large export takes as long as it takes, and
	// Ctrl-C ends ctx.
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return "", fmt.Errorf("%s its UI at %s does not answer (pass the address it serves with --ui): %w", busy, base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&e)
		return "", fmt.Errorf("%s its UI at %s answered %s: %s", busy, base, resp.Status, e.Error)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return "", fmt.Errorf("the export from %s broke off: %w", base, err)
	}
	return " through the running Leadbell at " + base, nil
}

// atomicFile is an output file written beside its name and renamed into
// place by commit: a failed export leaves no half file behind. It is
// created 0600, as the store is: it holds the leads' mail.
type atomicFile struct {
	*os.File
	name string
	done bool
}

func createAtomic(name string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("unable to create %s: %w", name, err)
	}
	return &atomicFile{File: f, name: name}, nil
}

func (f *atomicFile) commit() error {
	if err := f.Close(); err != nil {
		return fmt.Errorf("unable to write %s: %w", f.name, err)
	}
	if err := os.Rename(f.File.Name(), f.name); err != nil {
		return fmt.Errorf("unable to write %s: %w", f.name, err)
	}
	f.done = true
	return nil
}

// discard removes the file unless it was committed.
func (f *atomicFile) discard() {
	if !f.done {
		f.Close()
		os.Remove(f.File.Name())
	}
}
