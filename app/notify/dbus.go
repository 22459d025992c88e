package notify

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/leadbell/leadbell/event"
)

// The freedesktop.org notification service.
const (
	dbusName      = "org.freedesktop.Notifications"
	dbusPath      = dbus.ObjectPath("/org/freedesktop/Notifications")
	dbusInterface = "org.freedesktop.Notifications"
)

// DefaultAppName is the app_name every notification carries.
const DefaultAppName = "Leadbell"

// DBusOptions configure a DBusSender.
type DBusOptions struct {
	// AppName is the application's name (DefaultAppName).
	AppName string
	// Icon is the app icon: a path to a PNG file (sent as a file:// URI,
	// relative paths made absolute), or an icon-theme name such as
	// "leadbell" once the icon is installed. Empty sends none.
	Icon string
	// DesktopEntry is the name of the app's .desktop file without its
	// suffix ("leadbell"), which lets desktops group and theme its
	// notifications. Empty sends none.
	DesktopEntry string
	// Address is the bus to use. Empty means the session bus, found as
	// every D-Bus client finds it (DBUS_SESSION_BUS_ADDRESS first).
	Address string
	// Expire is how long a pop-up stays; 0 leaves it to the server.
	Expire time.Duration
}

// DBusSender shows notifications through org.freedesktop.Notifications,
// the service every Linux desktop (GNOME, KDE, Xfce, dunst, mako) runs. It
// connects on the first Send and again after the bus went away, so the app
// starts even before the desktop's notification daemon.
type DBusSender struct {
	opts DBusOptions

	mu     sync.Mutex
	conn   *dbus.Conn
	markup bool // the server reads markup in bodies
}

// NewDBusSender returns a sender for the bus o names. It does not connect
// yet.
func NewDBusSender(o DBusOptions) *DBusSender {
	if o.AppName == "" {
		o.AppName = DefaultAppName
	}
	o.Icon = iconURI(o.Icon)
	return &DBusSender{opts: o}
}

// iconURI makes an icon path a file:// URI, as the specification asks;
// an icon-theme name (no slash) stays as it is.
func iconURI(icon string) string {
	themed := !strings.ContainsRune(icon, filepath.Separator) && filepath.Ext(icon) == ""
	if icon == "" || strings.HasPrefix(icon, "file://") || themed {
		return icon
	}
	if abs, err := filepath.Abs(icon); err == nil {
		icon = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(icon)}).String()
}

// Send shows n. Its body is escaped for servers that read markup, and angle
// brackets become ‹ › for every server, so that text from a lead can never
// be taken for a tag.
func (s *DBusSender) Send(ctx context.Context, n Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connect(ctx); err != nil {
		return err
	}
	expire := int32(-1)
	if s.opts.Expire > 0 {
		expire = int32(s.opts.Expire.Milliseconds())
	}
	var id uint32
	err := s.conn.Object(dbusName, dbusPath).CallWithContext(ctx, dbusInterface+".Notify", 0,
		s.opts.AppName, uint32(0), s.opts.Icon, plain(n.Summary), s.body(n.Body),
		[]string{}, s.hints(n), expire).Store(&id)
	if err != nil {
		if !s.conn.Connected() {
			s.conn.Close()
			s.conn = nil
		}
		return fmt.Errorf("notify: unable to send to %s: %w", dbusName, err)
	}
	return nil
}

// connect opens the bus connection and asks the server whether it reads
// markup. A server that does not answer is taken to read it: escaping for
// one that does not shows "&amp;", the safe mistake.
func (s *DBusSender) connect(ctx context.Context) error {
	if s.conn != nil {
		return nil
	}
	var conn *dbus.Conn
	var err error
	// Not dbus.WithContext(ctx): the connection would close with ctx,
	// which only bounds this one send.
	if s.opts.Address != "" {
		conn, err = dbus.Connect(s.opts.Address)
	} else {
		conn, err = dbus.ConnectSessionBus()
	}
	if err != nil {
		return fmt.Errorf("notify: unable to connect to the session bus: %w", err)
	}
	var caps []string
	err = conn.Object(dbusName, dbusPath).CallWithContext(ctx, dbusInterface+".GetCapabilities", 0).Store(&caps)
	s.conn, s.markup = conn, err != nil || slices.Contains(caps, "body-markup")
	return nil
}

// hints are the standard hints: category, urgency, sound, desktop entry.
func (s *DBusSender) hints(n Notification) map[string]dbus.Variant {
	h := map[string]dbus.Variant{
		"urgency":  dbus.MakeVariant(byte(1)), // normal
		"category": dbus.MakeVariant("email"),
	}
	if n.Type == event.Replied {
		h["category"] = dbus.MakeVariant("email.arrived")
	}
	if n.Sound {
		h["suppress-sound"] = dbus.MakeVariant(false)
		h["sound-name"] = dbus.MakeVariant("message-new-instant")
	} else {
		h["suppress-sound"] = dbus.MakeVariant(true)
	}
	if s.opts.DesktopEntry != "" {
		h["desktop-entry"] = dbus.MakeVariant(s.opts.DesktopEntry)
	}
	return h
}

// body adapts plain text to the server: & is escaped when it reads markup.
func (s *DBusSender) body(text string) string {
	text = plain(text)
	if s.markup {
		text = strings.ReplaceAll(text, "&", "&amp;")
	}
	return text
}

// plain replaces the angle brackets left in plain text with look-alikes
// that no server reads as markup.
var plain = strings.NewReplacer("<", "‹", ">", "›").Replace

// Close closes the bus connection, if one is open.
func (s *DBusSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
