package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leadbell/leadbell/app/smartlead/simulator"
	"github.com/leadbell/leadbell/event"
)

// smallDisk mounts a tmpfs of size bytes at a new directory for the test,
// or skips the test saying why it cannot: mounting needs root (CI runs as
// root). The same cases run without root against the store's fault layer
// (store/health_test.go, app/storage_test.go).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; the fault-layer tests cover these cases without it")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("unable to mount a tmpfs here (%v: %s); the fault-layer tests cover these cases", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// newQuietSim is newSim without SmartLead's quick retries: each delivery is
// answered once, and one refused waits in SmartLead's failed list for the
// catch-up's retrigger. SmartLead disables a webhook after a few failures
// (the catch-up re-saves it: app/backfill_test.go); here it keeps
// delivering, so that the refusals can be counted.
func newQuietSim(t *testing.T) *simulator.Server {
	t.Helper()
	sim := simulator.NewServer(simulator.Options{Family: simulator.FamilyLive, Secret: secret, Seed: 7,
		RetryDelays: []time.Duration{}, DisableAfter: 1 << 30})
	t.Cleanup(sim.Close)
	return sim
}

// fill writes a file in dir until the disk is full, then gives back keep
// bytes, and returns the file.
func fill(t *testing.T, dir string, keep int64) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	chunk := make([]byte, 64<<10)
	var n int64
	for {
		m, err := f.Write(chunk)
		n += int64(m)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(n-keep, 0)); err != nil {
		t.Fatal(err)
	}
	return f
}

// A file system cannot be remounted read-only while Leadbell holds files
// open for writing (the kernel answers EBUSY; it turns one read-only by
// itself only on errors), so the read-only case runs against the store's
// fault layer alone (store/health_test.go, app/storage_test.go).

// TestDiskFullOnARealDisk: Leadbell's data on a 48 MiB tmpfs filled to
// 64 KiB free while signed deliveries keep arriving one at a time. It takes
// what the log's prepared room carries, then answers 503 at once, says so,
// keeps its log short, resumes by itself once there is room, catches up on
// what it refused, and after a restart every delivery is stored once.
//
// A delivery may still be taken after a refusal: when a retried commit
// finds room inside the database file, the log turns over into room it
// had already made, with no new byte from the disk. What matters is that
// whatever was answered 200 is stored, which the restart at the end counts.
func TestDiskFullOnARealDisk(t *testing.T) {
	disk := smallDisk(t, 48<<20)
	dir := filepath.Join(disk, "leadbell")
	sim := newQuietSim(t)
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	listen := freeAddr(t)
	p := start(t, key, serveArgs(dir, listen, sim)...)
	p.waitState("listening")
	gen := sim.Generator()

	filler := fill(t, disk, 64<<10)
	var taken, refused, takenLate int
	var slowest time.Duration
	emitted := 0
	for refused < 50 && emitted < 20000 {
		start := time.Now()
		ds, err := sim.Emit(t.Context(), gen.Event(event.Replied))
		took := time.Since(start)
		if err != nil || len(ds) != 1 {
			t.Fatalf("emit: %v, %d deliveries (after %d taken, %d refused)", err, len(ds), taken, refused)
		}
		emitted++
		slowest = max(slowest, took)
		switch ds[0].Status {
		case 200:
			taken++
			if refused > 0 {
				takenLate++
			}
		case 503:
			refused++
		default:
			t.Fatalf("a delivery on a full disk answered %d (%s)", ds[0].Status, ds[0].Err)
		}
	}
	if refused == 0 {
		t.Fatalf("%d deliveries taken and none refused on a full disk", taken)
	}
	// Refused at once, not held until the disk has room: a held delivery
	// would wait for the end of the test. The bound is that, not a speed
	// (the figure is logged below; make bench measures speed).
	if slowest > 10*time.Second {
		t.Errorf("the slowest answer took %v: a delivery waited for the full disk", slowest)
	}
	st := p.waitStatus("cannot_save on a full disk", func(st status) bool { return st.State == "cannot_save" })
	if !strings.Contains(st.Message, "Your disk is full") || !strings.Contains(st.Message, dir) {
		t.Errorf("status message %q does not say the disk is full and where the data lives", st.Message)
	}

	// A minute of refusals, squeezed: the log grows by a few lines at most.
	logged := len(p.logs())
	window := time.Now()
	squeezed := 0
	for range 200 {
		ds, err := sim.Emit(t.Context(), gen.Event(event.Replied))
		if err != nil || len(ds) != 1 {
			t.Fatalf("a delivery on the full disk: %v, %d deliveries", err, len(ds))
		}
		emitted++
		switch ds[0].Status {
		case 200:
			taken++
			takenLate++
		case 503:
			refused++
			squeezed++
		default:
			t.Fatalf("a delivery on a full disk answered %d (%s)", ds[0].Status, ds[0].Err)
		}
	}
	if squeezed == 0 {
		t.Error("200 deliveries taken and none refused with the disk still full")
	}
	time.Sleep(3 * time.Second) // a measuring window: the back-off's retries, with no delivery
	logBytes := len(p.logs()) - logged
	perMinute := float64(logBytes) / time.Since(window).Minutes()
	if logBytes > 2048 {
		t.Errorf("the log grew by %d bytes (%.0f a minute) while the disk was full:\n%s", logBytes, perMinute, p.logs()[logged:])
	}

	// Room comes back.
	freed := time.Now()
	if err := filler.Truncate(0); err != nil {
		t.Fatal(err)
	}
	p.waitState("listening")
	recovered := time.Since(freed)
	deadline := time.Now().Add(60 * time.Second)
	for len(sim.Undelivered()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("SmartLead still holds %d failed deliveries after the catch-up", len(sim.Undelivered()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	logs := p.logs()
	if n := strings.Count(logs, "unable to save new events"); n != 1 {
		t.Errorf("the log says %d times that events cannot be saved, want once:\n%s", n, linesWith(logs, "save"))
	}
	if !strings.Contains(logs, "saving works again") {
		t.Error("the log does not say when saving worked again")
	}
	t.Logf("full disk: %d deliveries taken (%d of them after the first refusal), %d refused; slowest answer %v; log %d bytes in %v (%.0f bytes a minute); listening again %v after room came back",
		taken, takenLate, refused, slowest.Round(time.Millisecond), logBytes, time.Since(window).Round(time.Second), perMinute, recovered.Round(time.Millisecond))

	p.stop()
	p = start(t, key, serveArgs(dir, listen, sim)...)
	if n := p.waitState("listening").Counts["EMAIL_REPLIED"]; n != emitted {
		t.Errorf("%d replies stored after a restart, want every one of the %d sent, once", n, emitted)
	}
}

// TestDataFolderRemovedWhileRunning: the data folder is deleted under a
// running Leadbell. It says so, refuses deliveries at once (what it took
// would be gone at the next start), and makes no new folder behind the
// user's back.
func TestDataFolderRemovedWhileRunning(t *testing.T) {
	sim := newQuietSim(t)
	dir := filepath.Join(t.TempDir(), "leadbell")
	key := []string{"SMARTLEAD_API_KEY=" + sim.APIKey()}
	p := start(t, key, serveArgs(dir, freeAddr(t), sim)...)
	p.waitState("listening")
	gen := sim.Generator()
	emit(t, sim, gen.Event(event.Replied))

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	st := p.waitStatus("cannot_save after the folder was removed", func(st status) bool { return st.State == "cannot_save" })
	if !strings.Contains(st.Message, "was removed") || !strings.Contains(st.Message, dir) {
		t.Errorf("status message %q does not say the data folder was removed", st.Message)
	}
	for range 5 {
		start := time.Now()
		ds, err := sim.Emit(t.Context(), gen.Event(event.Replied))
		if err != nil || len(ds) != 1 || ds[0].Status != 503 {
			t.Fatalf("a delivery with the data folder gone: %v, %d deliveries, the first answered %d; want one, 503", err, len(ds), ds[0].Status)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("a refused delivery took %v", took)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Leadbell made a new data folder behind the user's back (%v)", err)
	}

	// The window says so, in words, and the inbox stays readable.
	tb := newBrowser(t).tab(t)
	tb.open(p, "/#/inbox")
	tb.waitFor("the status to say it cannot save", sel(`[data-testid=status-state]`)+`?.dataset.state === "cannot_save"`)
	tb.waitFor("the banner", sel(`[data-testid=banner]`)+`?.dataset.state === "cannot_save"`)
	banner := evalJS[string](tb, sel(`[data-testid=banner]`)+`.innerText`)
	for _, want := range []string{"Leadbell cannot save new replies.", "was removed", "Nothing is lost"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner says %q, want it to say %q", banner, want)
		}
	}
	tb.waitFor("the reply taken before, still listed", `document.querySelectorAll('[data-testid=event-row]').length === 1`)
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	shoot(tb, filepath.Join("artifacts", "cannot-save.png"))
}

// linesWith returns the lines of logs that hold word.
func linesWith(logs, word string) string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
