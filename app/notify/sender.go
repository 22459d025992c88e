package notify

import (
	"context"

	"github.com/leadbell/leadbell/event"
)

// Notification is one pop-up as the rules decided it. Summary and Body are
// plain text, one line each, already cleaned of markup, control and bidi
// characters; a Sender adapts them to its platform (the D-Bus sender
// escapes them for servers that read markup).
type Notification struct {
	// Summary is the title: "Jane Doe (Acme Corp) replied", "5 new replies".
	Summary string
	// Body is the reply's first words, a link, or who is in a group.
	Body string
	// Sound asks for the platform's new-message sound.
	Sound bool
	// Events is how many events the notification stands for: 1, or the
	// size of a group.
	Events int
	// Type is the events' type; empty for a group of mixed types.
	Type event.Type
	// EventID is the event's id when Events is 1, for a click-to-open
	// action; empty for a group.
	EventID string
}

// Sender shows notifications on the desktop. Send must return within the
// context's deadline; the notifier calls it from its own goroutine, never
// from the path that stores events.
type Sender interface {
	Send(ctx context.Context, n Notification) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, n Notification) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, n Notification) error { return f(ctx, n) }
