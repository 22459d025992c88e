// Package export writes stored events as a CSV or JSON file, a page of the
// store at a time, so that a million events export in flat memory. The
// local API (GET /api/export) and the command line (leadbell export) both
// write through Write, so a file is the same whichever way it was made.
//
// Events come newest first by event time, the order the store walks and
// the inbox shows: writing them oldest first would mean holding the whole
// export, or walking the store once per page.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Source is where Write reads events: a *store.Store.
type Source interface {
	// List returns one page of matching events, newest first, without Raw.
	List(q store.Query) (store.Page, error)
	// Event returns one event with Raw.
	Event(id string) (event.Event, error)
}

// encoder writes one format: begin before the first event, event for each,
// flush after each page, end after the last.
type encoder interface {
	begin() error
	event(ev event.Event) error
	flush() error
	end() error
}

func newEncoder(w io.Writer, f Format) encoder {
	if f == FormatJSON {
		return newJSONEncoder(w)
	}
	return newCSVEncoder(w)
}

// Write writes the events of src matching o to w in o.Format, newest first,
// and returns how many it wrote. It reads the first page before writing
// anything, so an error with nothing written leaves w untouched; it stops
// between pages once ctx ends.
func Write(ctx context.Context, w io.Writer, src Source, o Options) (int, error) {
	q := store.Query{
		Type:     o.Type,
		Campaign: o.Campaign,
		Lead:     o.Lead,
		Text:     o.Text,
		Unread:   o.Unread,
		Limit:    store.MaxLimit,
	}
	page, err := src.List(q)
	if err != nil {
		return 0, fmt.Errorf("export: unable to read events: %w", err)
	}
	enc := newEncoder(w, o.Format)
	if err := enc.begin(); err != nil {
		return 0, fmt.Errorf("export: unable to write: %w", err)
	}
	n := 0
	for {
		more, err := writePage(enc, src, o, page.Events, &n)
		if err != nil {
			return n, err
		}
		if err := enc.flush(); err != nil {
			return n, fmt.Errorf("export: unable to write: %w", err)
		}
		if !more || page.Next == "" {
			break
		}
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("export: stopped: %w", err)
		}
		q.Before = page.Next
		if page, err = src.List(q); err != nil {
			return n, fmt.Errorf("export: unable to read events: %w", err)
		}
	}
	if err := enc.end(); err != nil {
		return n, fmt.Errorf("export: unable to write: %w", err)
	}
	return n, nil
}

// writePage encodes the events of one page that fall in o's time range and
// counts them in n; more is false once an event is older than o.Since (the
// pages are newest first, so nothing after it can match).
func writePage(enc encoder, src Source, o Options, evs []event.Event, n *int) (more bool, err error) {
	for _, ev := range evs {
		when := ev.When()
		if !o.Until.IsZero() && !when.Before(o.Until) {
			continue
		}
		if !o.Since.IsZero() && when.Before(o.Since) {
			return false, nil
		}
		ev.Raw = nil
		if o.Raw {
			full, err := src.Event(ev.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue // deleted (retention) since its page was read
			}
			if err != nil {
				return false, fmt.Errorf("export: unable to read event %s: %w", ev.ID, err)
			}
			ev.Raw = full.Raw
		}
		if err := enc.event(ev); err != nil {
			return false, fmt.Errorf("export: unable to write: %w", err)
		}
		*n++
	}
	return true, nil
}
