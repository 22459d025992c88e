package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/leadbell/leadbell/app/export"
)

// exportEvents serves GET /api/export: the events matching the query (see
// export.ParseQuery) as a CSV or JSON download, newest first, streamed from
// the store a page at a time.
func (s *Server) exportEvents(w http.ResponseWriter, r *http.Request) {
	o, err := export.ParseQuery(r.URL.Query())
	if err != nil {
		WriteError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	dl := &download{w: w, o: o, now: time.Now()}
	n, err := export.Write(r.Context(), dl, s.cfg.Store, o)
	switch {
	case err == nil:
		if !dl.started { // export.Write always writes; keep the answer whole anyway
			dl.start()
		}
	case !dl.started:
		s.fail(w, r, err)
	case r.Context().Err() != nil:
		s.cfg.Logger.Debug("export ended by the client", "events", n)
	default:
		// The 200 and part of the file are gone: cut the connection so the
		// download fails, rather than end it well-formed and short.
		s.cfg.Logger.Error("export failed midway", "events", n, "error", err)
		abort(w)
	}
}

// download is the response of an export: its headers go out with the first
// byte, so that a failure before it is still an ordinary error answer.
type download struct {
	w       http.ResponseWriter
	o       export.Options
	now     time.Time
	started bool
}

func (d *download) start() {
	d.started = true
	h := d.w.Header()
	h.Set("Content-Type", d.o.ContentType())
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.o.Filename(d.now)))
	h.Set("Cache-Control", "no-store")
	d.w.WriteHeader(http.StatusOK)
}

func (d *download) Write(p []byte) (int, error) {
	if !d.started {
		d.start()
	}
	return d.w.Write(p)
}

// abort closes the connection under a response already begun. Where there
// is no connection to close (HTTP/2, the window's asset server) the
// response just ends; a JSON array is then visibly unfinished.
func abort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	conn.Close()
}
