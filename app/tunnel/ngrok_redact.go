package tunnel

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// masked stands where the authtoken was.
const masked = "[authtoken]"

// redactor masks one secret wherever it appears. ngrok's server quotes a
// refused authtoken in full ("Your authtoken: ..."), and the client logs
// and returns that message as it came.
type redactor struct{ secret string }

// String returns s with the secret masked.
func (r redactor) String(s string) string {
	if r.secret == "" {
		return s
	}
	return strings.ReplaceAll(s, r.secret, masked)
}

// redactHandler is a slog.Handler that masks the secret in the message
// and in every attribute before passing the record on. The ngrok client
// logs through it.
type redactHandler struct {
	next slog.Handler
	r    redactor
}

func newRedactHandler(next slog.Handler, r redactor) slog.Handler {
	return &redactHandler{next: next, r: r}
}

func (h *redactHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(clean), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), r: h.r}
}

// attr masks the secret in a's value. Values of any other kind than
// string, group and the plain scalars are rendered to text first, so that
// a handler encoding them by reflection (JSON) cannot reach a field that
// holds the secret.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]slog.Attr, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		var s string
		if err, ok := v.Any().(error); ok {
			s = err.Error()
		} else {
			s = fmt.Sprintf("%+v", v.Any())
		}
		return slog.String(a.Key, h.r.String(s))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
