package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/leadbell/leadbell/event"
)

// desktopPeers plays the desktop's side of D-Bus on the test's session bus:
// a notification server (org.freedesktop.Notifications) that records each
// Notify, and a StatusNotifierWatcher that records tray icons.
type desktopPeers struct {
	mu       sync.Mutex
	notified []notification
	items    []string
}

type notification struct{ App, Summary, Body string }

type notifyServer struct{ p *desktopPeers }

func (s notifyServer) Notify(app string, _ uint32, _, summary, body string, _ []string, _ map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.p.notified = append(s.p.notified, notification{app, summary, body})
	return uint32(len(s.p.notified)), nil
}
func (notifyServer) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }
func (notifyServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "e2e", "leadbell", "1", "1.2", nil
}
func (notifyServer) CloseNotification(uint32) *dbus.Error { return nil }

type watcher struct{ p *desktopPeers }

func (w watcher) RegisterStatusNotifierItem(service string) *dbus.Error {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	w.p.items = append(w.p.items, service)
	return nil
}
func (watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

func servePeers(t *testing.T, bus string) *desktopPeers {
	t.Helper()
	conn, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &desktopPeers{}
	for _, e := range []struct {
		obj        any
		path, name string
	}{
		{notifyServer{p}, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"},
		{watcher{p}, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"},
	} {
		if err := conn.Export(e.obj, dbus.ObjectPath(e.path), e.name); err != nil {
			t.Fatal(err)
		}
		if reply, err := conn.RequestName(e.name, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("owning %s: %v %v", e.name, reply, err)
		}
	}
	return p
}

func (p *desktopPeers) notifications() []notification {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]notification(nil), p.notified...)
}

func (p *desktopPeers) trayItems() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.items)
}

// waitNotifications waits until n notifications came, then a little longer
// to see that no more follow.
func (p *desktopPeers) waitNotifications(t *testing.T, n int, settle time.Duration) []notification {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(p.notifications()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications, want %d: %+v", len(p.notifications()), n, p.notifications())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(settle)
	return p.notifications()
}

// TestDesktopNotificationsAndTray runs the window against the simulator with
// the test's own notification server and tray watcher on the session bus:
// one reply is one Notify; a burst of ten is one grouped Notify; the tray
// registers a StatusNotifierItem.
func TestDesktopNotificationsAndTray(t *testing.T) {
	s := newSession(t)
	peers := servePeers(t, s.bus)
	desktop := buildDesktop(t)
	sim := newSim(t, 0)
	dir, ui := t.TempDir(), freeAddr(t)

	cmd := exec.Command(desktop, "--data", dir, "--ui", ui, "--tunnel", "none", "--listen", freeAddr(t),
		"--smartlead-url", sim.URL(), "--webhook-secret", secret)
	cmd.Env = append(cleanEnv(), append(s.env(), "SMARTLEAD_API_KEY="+sim.APIKey())...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
		}
	})
	p := attach(t, ui, dir)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if st, ok := p.tryStatus(); ok && st.State == "listening" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the desktop app never listened\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for peers.trayItems() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no StatusNotifierItem registered\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Every kind of reply pops up alike here: this test is about the
	// desktop's notifications and their grouping, not about which replies
	// pop up at once or never (app/notify's triage test).
	alike := map[string]string{}
	for _, c := range event.TriageClasses {
		alike[c] = "normal"
	}
	if code := p.putJSON("/api/settings", map[string]any{"notifications": map[string]any{
		"types": map[string]bool{"EMAIL_REPLIED": true}, "sound": true, "triage": alike}}); code != http.StatusOK {
		t.Fatalf("PUT /api/settings answered %d", code)
	}

	gen := sim.Generator()
	reply := gen.Event(event.Replied)
	emit(t, sim, reply)
	got := peers.waitNotifications(t, 1, 4*time.Second)
	if len(got) != 1 || got[0].App != "Leadbell" || !strings.Contains(got[0].Summary, "replied") || strings.ContainsAny(got[0].Body, "<>") {
		t.Fatalf("after one reply: %+v, want exactly one Leadbell notification that says replied", got)
	}
	if !strings.Contains(got[0].Summary, reply.Lead.FirstName) {
		t.Errorf("summary %q does not name %s", got[0].Summary, reply.Lead.FirstName)
	}

	var wg sync.WaitGroup
	for range 10 {
		ev := gen.Event(event.Replied)
		wg.Go(func() { sim.Emit(context.Background(), ev) })
	}
	wg.Wait()
	got = peers.waitNotifications(t, 2, 12*time.Second)
	if len(got) != 2 || !strings.Contains(got[1].Summary, "10 new replies") {
		t.Fatalf("after a burst of ten: %+v, want one more, grouped as 10 new replies", got)
	}
}

// tryStatus asks for the status once; ok is false while nothing answers.
func (p *proc) tryStatus() (st status, ok bool) {
	resp, err := p.client.Get(p.UI + "/api/status")
	if err != nil {
		return st, false
	}
	defer resp.Body.Close()
	return st, resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&st) == nil
}
