package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// desktopBin is leadbell built with the window (the desktop build tags).
var (
	desktopOnce sync.Once
	desktopBin  string
	desktopErr  error
)

func buildDesktop(t *testing.T) string {
	t.Helper()
	desktopOnce.Do(func() {
		desktopBin = filepath.Join(filepath.Dir(bin), "leadbell-desktop")
		cmd := exec.Command("go", "build", "-tags", "desktop,production,webkit2_41", "-o", desktopBin, "github.com/leadbell/leadbell")
		out, err := cmd.CombinedOutput()
		if err != nil {
			desktopErr = fmt.Errorf("building the desktop binary: %v\n%s", err, out)
		}
	})
	if desktopErr != nil {
		t.Fatal(desktopErr)
	}
	return desktopBin
}

// session is an X display (Xvfb) and a D-Bus session bus of the test's own.
type session struct {
	display string
	bus     string
}

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: install xvfb, dbus-x11, x11-utils and imagemagick (.ci/run does)", tool)
		}
	}
}

func newSession(t *testing.T) session {
	t.Helper()
	need(t, "Xvfb", "dbus-daemon", "xwininfo", "import")
	var s session
	for n := 90 + os.Getpid()%100; ; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
			s.display = fmt.Sprintf(":%d", n)
			break
		}
	}
	x := exec.Command("Xvfb", s.display, "-screen", "0", "1400x900x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })

	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Process.Kill(); bus.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	s.bus = strings.TrimSpace(line)

	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("xwininfo", "-display", s.display, "-root").Run() != nil {
		if time.Now().After(deadline) {
			t.Fatal("Xvfb did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

func (s session) env() []string {
	return []string{"DISPLAY=" + s.display, "DBUS_SESSION_BUS_ADDRESS=" + s.bus, "NO_AT_BRIDGE=1"}
}

// windowTitle returns the title of the top-level window named like Leadbell.
// windowTitleRE matches Leadbell's window in xwininfo's tree: "Leadbell",
// "(3) Leadbell", "Leadbell (demo)".
var windowTitleRE = regexp.MustCompile(`"((?:\(\d+\) )?Leadbell(?: \(demo\))?)"`)

func (s session) windowTitle() string {
	out, _ := exec.Command("xwininfo", "-display", s.display, "-root", "-tree").Output()
	if m := windowTitleRE.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return ""
}

func (s session) screenshot(t *testing.T, name string) {
	t.Helper()
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("artifacts", name)
	if out, err := exec.Command("import", "-display", s.display, "-window", "root", path).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	t.Logf("screenshot: e2e/%s", path)
}

// TestDesktopWindow opens the real Wails window under Xvfb: its title is
// Leadbell with the unread count, and a second launch wakes the first and
// exits, while the first keeps running and keeps receiving.
func TestDesktopWindow(t *testing.T) {
	s := newSession(t)
	desktop := buildDesktop(t)
	dir, ui := t.TempDir(), freeAddr(t)
	args := []string{"demo", "--gui", "--data", dir, "--ui", ui, "--listen", freeAddr(t)}

	started := time.Now()
	first := exec.Command(desktop, args...)
	first.Env = append(cleanEnv(), s.env()...)
	var logs strings.Builder
	first.Stdout, first.Stderr = &logs, &logs
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Wait() }()
	t.Cleanup(func() {
		first.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			first.Process.Kill()
		}
	})

	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.windowTitle(), "Leadbell") {
		if time.Now().After(deadline) {
			t.Fatalf("no Leadbell window appeared\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("window mapped %v after launch", time.Since(started).Round(time.Millisecond))

	p := attach(t, ui, dir)
	p.waitState("listening")
	// The demo's replies arrive: the title counts them.
	for !strings.HasPrefix(s.windowTitle(), "(") {
		if time.Now().After(deadline) {
			t.Fatalf("title %q never showed an unread count", s.windowTitle())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if title := s.windowTitle(); !strings.HasSuffix(title, "Leadbell (demo)") {
		t.Errorf("the demo's window title is %q, want it to say (demo)", title)
	}
	time.Sleep(time.Second) // let the page paint the rows before the picture
	s.screenshot(t, "window.png")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, desktop, args...)
	second.Env = append(cleanEnv(), s.env()...)
	out, err := second.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already running") {
		t.Fatalf("second launch: %v\n%s", err, out)
	}
	select {
	case err := <-done:
		t.Fatalf("the first window exited when the second launched: %v\n%s", err, logs.String())
	default:
	}
	// Still receiving: the simulator's deliveries keep being stored.
	before := total(p.status())
	deadline = time.Now().Add(20 * time.Second)
	for total(p.status()) <= before {
		if time.Now().After(deadline) {
			t.Fatal("the first instance stopped receiving after the second launch")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
