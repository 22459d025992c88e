package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadbell/leadbell/store/storetest"
)

// TestServeDamagedFile: serve does not panic on a damaged file; it says
// which file and what to do, changes nothing, and starts fresh (the file
// kept aside) only with --start-fresh.
func TestServeDamagedFile(t *testing.T) {
	dir, damaged := storetest.Damaged(t, "leadbell.db")
	path := filepath.Join(dir, "leadbell.db")
	args := []string{"serve", "--data", dir, "--ui", "127.0.0.1:0", "--tunnel", "none", "--listen", freeAddr(t)}
	r := exec2(t, nil, args...)
	if r.code != 1 {
		t.Fatalf("serve on a damaged file exited %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{path + " is damaged", "Nothing in it was changed", "--start-fresh"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("serve's message does not say %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("serve panicked:\n%s", r.stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != string(damaged) {
		t.Error("serve changed the damaged file")
	}

	p := start(t, nil, append(args, "--start-fresh")...)
	p.waitState("signed_out")
	kept, _ := filepath.Glob(path + ".damaged-*")
	var files []string
	for _, k := range kept {
		if !strings.Contains(k, ".wal") {
			files = append(files, k)
		}
	}
	if len(files) != 1 {
		t.Fatalf("kept aside: %v, want the damaged file", kept)
	}
	if got, _ := os.ReadFile(files[0]); string(got) != string(damaged) {
		t.Error("the file kept aside is not the damaged file")
	}
	if !strings.Contains(p.logs(), "kept aside") {
		t.Errorf("the log does not say the damaged file was kept aside:\n%s", p.logs())
	}
}

// TestDesktopDamagedFile: the window opens on a damaged file and says so,
// in place of the inbox, rather than failing to start.
func TestDesktopDamagedFile(t *testing.T) {
	s := newSession(t)
	desktop := buildDesktop(t)
	dir, damaged := storetest.Damaged(t, "leadbell.db")
	cmd := exec.Command(desktop, "--data", dir, "--ui", freeAddr(t), "--tunnel", "none", "--listen", freeAddr(t))
	cmd.Env = append(cleanEnv(), s.env()...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for s.windowTitle() != "Leadbell" {
		select {
		case err := <-done:
			t.Fatalf("Leadbell exited on a damaged file (%v) instead of opening its window\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Leadbell window appeared\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "the data file is damaged") {
		t.Errorf("the log does not say the data file is damaged:\n%s", logs.String())
	}
	time.Sleep(time.Second) // let the page paint before the picture
	s.screenshot(t, "damaged.png")
	if got, _ := os.ReadFile(filepath.Join(dir, "leadbell.db")); string(got) != string(damaged) {
		t.Error("the window changed the damaged file before the user chose")
	}
}
