//go:build !desktop

package app

import (
	"context"
	"errors"
	"io/fs"
)

// HasWindow reports whether this build can open the desktop window: this
// one was built without the desktop tag (make build adds it).
const HasWindow = false

// ErrWokeFirst means another Leadbell was running and its window was woken.
var ErrWokeFirst = errors.New("app: Leadbell is already running")

// Desktop is unavailable without the desktop build tag.
func Desktop(context.Context, Config, fs.FS, []byte, func(string)) error {
	return errors.New("app: this build has no window (build with make build)")
}
