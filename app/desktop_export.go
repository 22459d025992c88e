//go:build desktop

package app

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/leadbell/leadbell/app/api"
	"github.com/leadbell/leadbell/app/export"
)

// saveExports adds POST /api/export/save to the window's handler: the
// window's web view does not download files, so the page asks here, and
// Leadbell shows a save dialog and writes the export (GET /api/export's
// query) to the file the user picks. It is served to the window only,
// never over TCP.
func saveExports(next http.Handler, sess *Session, window func() context.Context) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/export/save" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			api.WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Use POST.")
			return
		}
		o, err := export.ParseQuery(r.URL.Query())
		if err != nil {
			api.WriteError(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		ctx := window()
		if ctx == nil {
			api.WriteError(w, http.StatusServiceUnavailable, "no_window", "The window is not ready.")
			return
		}
		home, _ := os.UserHomeDir()
		path, err := runtime.SaveFileDialog(ctx, runtime.SaveDialogOptions{
			Title:            "Export",
			DefaultDirectory: home,
			DefaultFilename:  o.Filename(time.Now()),
			Filters:          []runtime.FileFilter{{DisplayName: string(o.Format), Pattern: "*." + string(o.Format)}},
		})
		if err != nil {
			api.WriteError(w, http.StatusInternalServerError, "dialog", "Leadbell could not open the save dialog. Try again, or export from a browser.")
			return
		}
		var n int
		if path != "" { // "" means the user cancelled
			if n, err = writeExport(r.Context(), path, sess, o); err != nil {
				api.WriteError(w, http.StatusInternalServerError, "export_failed", exportFailure(err))
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"saved": path, "events": n})
	})
}

// writeExport writes the export to a temporary file beside path and renames
// it into place once whole.
func writeExport(ctx context.Context, path string, sess *Session, o export.Options) (int, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".leadbell-export-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name()) // a no-op after the rename
	in := sess.Current()
	if in == nil {
		f.Close()
		return 0, ErrNoAccount
	}
	n, err := export.Write(ctx, f, in.Store, o)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	return n, os.Rename(f.Name(), path)
}

// exportFailure says why an export could not be saved, for the user.
func exportFailure(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "Leadbell may not write in that folder. Pick another one."
	case errors.Is(err, syscall.ENOSPC):
		return "The disk is full. Free some space, or pick another disk."
	}
	return "Leadbell could not save the file. Pick another folder and try again."
}
