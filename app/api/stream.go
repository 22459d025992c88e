package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/event"
)

// catchUpPage is how many stored events one catch-up read returns.
const catchUpPage = 500

// stream serves GET /api/stream: one "event" message for each newly stored
// event, its SSE id being the event's id (ids grow in arrival order).
//
// A client that reconnects sends Last-Event-ID (EventSource does so by
// itself) and first receives every event stored since, from the store; so
// does one that passes ?since=ID. A new client gets a "ready" message whose
// id is the newest event's, so it can fetch the list and then miss nothing.
// If the client falls behind the broker, it is caught up from the store.
// An event changed since it was sent (marked done, snoozed, back from a
// snooze) comes again as an "updated" message.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("since")
	}
	if last != "" {
		if _, err := strconv.ParseUint(last, 10, 64); err != nil {
			WriteError(w, http.StatusBadRequest, "invalid", "since must be an event id")
			return
		}
	}

	sub := s.cfg.Broker.Subscribe(0)
	defer func() { sub.Cancel() }()
	dels := s.deletions.Subscribe(0)
	defer func() { dels.Cancel() }()
	changes := s.cfg.Changes.Subscribe(0)
	defer func() { changes.Cancel() }()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1500\n\n")

	var err error
	if last == "" {
		if last, err = s.cfg.Store.LastID(); err != nil {
			s.cfg.Logger.Error("stream failed", "error", err)
			return
		}
	} else if last, err = s.catchUp(w, last); err != nil {
		s.cfg.Logger.Debug("stream ended during catch-up", "error", err)
		return
	}
	fmt.Fprintf(w, "id: %s\nevent: ready\ndata: {}\n\n", last)
	if err := rc.Flush(); err != nil {
		return
	}

	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-heartbeat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case ev, ok := <-dels.C:
			if !ok { // fell behind: a page that misses one drops it on reload
				dels = s.deletions.Subscribe(0)
				break
			}
			// No SSE id: the stream's place (Last-Event-ID) stays an event's.
			if _, err := fmt.Fprintf(w, "event: deleted\ndata: {\"id\":%s}\n\n", strconv.Quote(ev.ID)); err != nil {
				return
			}
		case ev, ok := <-changes.C:
			if !ok { // fell behind: a page that misses one has it on reload
				changes = s.cfg.Changes.Subscribe(0)
				break
			}
			if err := writeChange(w, ev); err != nil {
				return
			}
		case ev, ok := <-sub.C:
			if !ok {
				// We fell behind the broker: resubscribe, then read
				// what we missed from the store.
				sub = s.cfg.Broker.Subscribe(0)
				if last, err = s.catchUp(w, last); err != nil {
					return
				}
				break
			}
			if !newer(ev.ID, last) {
				continue // already sent during catch-up
			}
			if err := writeEvent(w, ev); err != nil {
				return
			}
			last = ev.ID
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// catchUp writes every stored event after last and returns the new last id.
func (s *Server) catchUp(w http.ResponseWriter, last string) (string, error) {
	for {
		evs, err := s.cfg.Store.After(last, catchUpPage)
		if err != nil {
			return last, err
		}
		for _, ev := range evs {
			if err := writeEvent(w, ev); err != nil {
				return last, err
			}
			last = ev.ID
		}
		if len(evs) < catchUpPage {
			return last, nil
		}
	}
}

func writeEvent(w http.ResponseWriter, ev event.Event) error {
	ev.Raw = nil
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %s\nevent: event\ndata: %s\n\n", ev.ID, data)
	return err
}

// writeChange sends a changed event (done, snoozed, back from a snooze)
// without an SSE id: the stream's place stays the newest stored event's.
func writeChange(w http.ResponseWriter, ev event.Event) error {
	ev.Raw = nil
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: updated\ndata: %s\n\n", data)
	return err
}

// newer reports whether event id a comes after b in arrival order.
func newer(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return x > y
}
