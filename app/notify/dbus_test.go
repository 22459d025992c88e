//go:build linux

package notify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/leadbell/leadbell/app/broker"
)

// startBus runs a private session bus for one test and returns its
// address. The daemon is killed when the test ends (and by the kernel if
// the test binary dies first).
func startBus(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatalf("dbus-daemon not found (%v): this test runs a real session bus; install it with `apt-get install dbus`", err)
	}
	cmd := exec.Command(path, "--session", "--nofork", "--print-address")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			t.Fatalf("dbus-daemon printed no address; stderr: %s", stderr.String())
		}
		return a
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon printed no address within 10s; stderr: %s", stderr.String())
	}
	return ""
}

// notifyCall is one Notify call as the server received it.
type notifyCall struct {
	AppName, AppIcon, Summary, Body string
	ReplacesID                      uint32
	Actions                         []string
	Hints                           map[string]dbus.Variant
	Expire                          int32
}

// notifyServer is a minimal org.freedesktop.Notifications server that
// records what it is asked to show.
type notifyServer struct {
	caps []string

	mu    sync.Mutex
	calls []notifyCall
}

func (s *notifyServer) Notify(appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, notifyCall{appName, appIcon, summary, body, replacesID, actions, hints, expire})
	return uint32(len(s.calls)), nil
}

func (s *notifyServer) GetCapabilities() ([]string, *dbus.Error) { return s.caps, nil }

func (s *notifyServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "leadbell-test", "leadbell", "1.0", "1.2", nil
}

func (s *notifyServer) CloseNotification(uint32) *dbus.Error { return nil }

func (s *notifyServer) received() []notifyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifyCall(nil), s.calls...)
}

// serveNotifications claims org.freedesktop.Notifications on the bus at
// addr, as a desktop's notification daemon does.
func serveNotifications(t *testing.T, addr string, caps ...string) *notifyServer {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connecting the server to the bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	srv := &notifyServer{caps: caps}
	if err := conn.Export(srv, dbusPath, dbusInterface); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(dbusName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("claiming %s: reply %v, %v", dbusName, reply, err)
	}
	return srv
}

// TestDBusDelivery follows a reply and then a burst of ten from the broker
// to a real notification server. It runs in two halves, because a D-Bus
// connection cannot live in a synctest bubble: its reader goroutine blocks
// on a socket, which is not durably blocking (so the bubble's clock could
// not advance), and it would answer calls made in the bubble from outside
// it (which panics). So the notifier's timing runs in a bubble with a
// recording sender, and what it decided to show is then sent, in order,
// through a DBusSender on a private bus on real time. Nothing waits on real
// time: Send returns once the server answered, and the server records a
// call before it answers.
func TestDBusDelivery(t *testing.T) {
	var shown []Notification
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, localTime(12, 0, 0))
		b := broker.New()
		runOn(t, h, b)

		// One reply: exactly one notification.
		b.Publish(reply("1", "Jane Doe", "Acme Corp",
			"<div>Yes &amp; <b>thanks</b>! &lt;script&gt;x&lt;/script&gt;<br>\u202eTom</div>"))
		synctest.Wait()
		if n := h.n.held(); n != 1 {
			t.Fatalf("%d events held, want the reply", n)
		}
		advance(DefaultHold)
		if got := h.rec.all(); len(got) != 1 {
			t.Fatalf("%d notifications for one reply, want 1: %+v", len(got), got)
		}

		// A burst of ten: exactly one more, a group.
		for i := range 10 {
			b.Publish(reply(fmt.Sprint("burst", i), fmt.Sprint("Lead ", i), "", "Hello"))
		}
		synctest.Wait()
		if n := h.n.held(); n != 10 {
			t.Fatalf("%d events held, want the burst of 10", n)
		}
		advance(time.Minute)
		if got := h.rec.all(); len(got) != 2 {
			t.Fatalf("%d notifications after a burst of ten, want 2 in all: %+v", len(got), got)
		}
		h.settled(t)
		shown = h.rec.all()
	})

	addr := startBus(t)
	srv := serveNotifications(t, addr, "body")
	sender := NewDBusSender(DBusOptions{Address: addr, Icon: filepath.Join("testdata", "leadbell.png"), DesktopEntry: "leadbell"})
	t.Cleanup(func() { sender.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range shown {
		if err := sender.Send(ctx, n); err != nil {
			t.Fatalf("Send(%q): %v", n.Summary, err)
		}
	}
	calls := srv.received()
	if len(calls) != 2 {
		t.Fatalf("%d Notify calls for a reply and a burst, want 2: %+v", len(calls), calls)
	}

	// The reply: plain text.
	c := calls[0]
	abs, _ := filepath.Abs(filepath.Join("testdata", "leadbell.png"))
	if c.AppName != "Leadbell" || c.Summary != janeReplied || c.AppIcon != "file://"+abs || c.ReplacesID != 0 || c.Expire != -1 || len(c.Actions) != 0 {
		t.Errorf("Notify(%q, %d, %q, %q, …, %v, …, %d)", c.AppName, c.ReplacesID, c.AppIcon, c.Summary, c.Actions, c.Expire)
	}
	if want := "Yes & thanks! ‹script›x‹/script› Tom"; c.Body != want {
		t.Errorf("body = %q, want %q", c.Body, want)
	}
	if strings.ContainsAny(c.Body, "<>") {
		t.Errorf("body %q carries markup to a server without body-markup", c.Body)
	}
	wantHints := map[string]any{"sound-name": "message-new-instant", "suppress-sound": false,
		"desktop-entry": "leadbell", "category": "email.arrived", "urgency": byte(1)}
	for k, want := range wantHints {
		if v, ok := c.Hints[k]; !ok || v.Value() != want {
			t.Errorf("hint %s = %v, want %v", k, v, want)
		}
	}

	// The burst: one group.
	if c := calls[1]; c.Summary != "10 new replies" || c.Body != "Lead 0, Lead 1, Lead 2 and 7 more" || c.AppName != "Leadbell" {
		t.Errorf("group = %q / %q from %q", c.Summary, c.Body, c.AppName)
	}
}

// TestDBusMarkupServerOnTheSessionBus needs no clock, so it runs outside a
// bubble (see TestDBusDelivery for why D-Bus cannot run in one).
func TestDBusMarkupServerOnTheSessionBus(t *testing.T) {
	addr := startBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr) // the way the app finds the bus
	sender := NewDBusSender(DBusOptions{Icon: "leadbell", Expire: 8 * time.Second})
	t.Cleanup(func() { sender.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := Notification{Summary: "Smith & Co <b>", Body: "Tom & Jerry <3 <i>", Events: 1}

	// No notification daemon yet: Send fails, and the app goes on.
	if err := sender.Send(ctx, n); err == nil || !strings.HasPrefix(err.Error(), "notify: ") {
		t.Fatalf("Send with no server = %v, want a notify: error", err)
	}

	srv := serveNotifications(t, addr, "body", "body-markup", "sound")
	if err := sender.Send(ctx, n); err != nil {
		t.Fatalf("Send once the server is up: %v", err)
	}
	calls := srv.received() // recorded before the server answered Send
	if len(calls) != 1 {
		t.Fatalf("%d Notify calls, want 1", len(calls))
	}
	c := calls[0]
	if c.Body != "Tom &amp; Jerry ‹3 ‹i›" || c.Summary != "Smith & Co ‹b›" {
		t.Errorf("summary, body = %q, %q; want & escaped in the body only, and no angle brackets", c.Summary, c.Body)
	}
	if c.AppIcon != "leadbell" || c.Expire != 8000 || c.AppName != "Leadbell" {
		t.Errorf("Notify(%q, %q, expire %d)", c.AppName, c.AppIcon, c.Expire)
	}
	if v, ok := c.Hints["suppress-sound"]; !ok || v.Value() != true {
		t.Errorf("suppress-sound = %v, want true without sound", v)
	}
	if _, ok := c.Hints["sound-name"]; ok {
		t.Errorf("sound-name sent without sound")
	}
	if v := c.Hints["category"]; v.Value() != "email" {
		t.Errorf("category = %v, want email", v)
	}
}

func TestIconURI(t *testing.T) {
	abs, _ := filepath.Abs("build/appicon.png")
	here, _ := filepath.Abs("appicon.png")
	tests := []struct{ in, want string }{
		{"", ""},
		{"leadbell", "leadbell"},
		{"build/appicon.png", "file://" + abs},
		{"appicon.png", "file://" + here},
		{"/opt/Lead Bell/icon.png", "file:///opt/Lead%20Bell/icon.png"},
		{"file:///usr/share/icons/leadbell.png", "file:///usr/share/icons/leadbell.png"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := iconURI(tt.in); got != tt.want {
				t.Errorf("iconURI(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
