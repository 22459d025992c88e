package smartlead

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Errors Parse returns, wrapped with a short description that never quotes
// the payload. Check them with errors.Is.
var (
	// ErrNotJSON means the body is not a JSON object.
	ErrNotJSON = errors.New("smartlead: payload is not a JSON object")
	// ErrNoEventType means neither "event" (spec shape) nor "event_type"
	// (live shape) is a non-empty string.
	ErrNoEventType = errors.New("smartlead: payload has no event type")
)

// redactedSecret replaces a top-level secret_key value in Event.Raw.
const redactedSecret = `"[redacted]"`

// secretField is the body field some SmartLead deliveries carry the
// webhook secret in.
const secretField = "secret_key"

// Parse normalises one webhook delivery, of either payload family, into an
// Event: Type, SourceType, the payload's fields, Raw (the body as received
// with a top-level secret_key redacted) and Key (see IdempotencyKey). It
// leaves ID, ReceivedAt, VerifiedBy and Read for the receiver. Fields the
// payload lacks stay empty; an unreadable timestamp is the zero time, not
// an error. The only errors are ErrNotJSON and ErrNoEventType.
func Parse(raw []byte) (Event, error) {
	sh, name, err := classify(raw)
	if err != nil {
		return Event{}, err
	}
	var ev Event
	var key keyParts
	if sh == shapeSpec {
		ev, key = parseSpec(raw)
	} else {
		ev, key = parseLive(raw)
	}
	ev.SourceType = cleanText(name)
	ev.Type = mapType(ev.SourceType)
	ev.Raw = redact(raw)
	ev.Key = key.key(ev.Raw)
	return ev, nil
}

// BodySecret returns the top-level secret_key string field of a delivery,
// which live-shape payloads use in place of a signature header. ok is false
// when the body is not a JSON object or has no such string field; when the
// field repeats, the last one counts, as in encoding/json.
func BodySecret(raw []byte) (secret string, ok bool) {
	if !json.Valid(raw) {
		return "", false
	}
	_ = walkTopLevel(raw, func(k string, start, end int) {
		if k != secretField {
			return
		}
		secret, ok = "", false
		if raw[start] == '"' && json.Unmarshal(raw[start:end], &secret) == nil {
			ok = true
		}
	})
	return secret, ok
}

// shape is the payload family a delivery belongs to.
type shape int

const (
	shapeSpec shape = iota // nested, keyed by "event"
	shapeLive              // flat, keyed by "event_type"
)

// classify checks that raw is a JSON object with an event type and says
// which family it is. A non-empty "event" wins over "event_type", as the
// spec's names are the ones Leadbell promises.
func classify(raw []byte) (shape, string, error) {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return 0, "", fmt.Errorf("%w: empty body", ErrNotJSON)
	case trimmed[0] != '{':
		if !json.Valid(raw) {
			return 0, "", fmt.Errorf("%w: invalid JSON", ErrNotJSON)
		}
		return 0, "", fmt.Errorf("%w: body is a JSON %s", ErrNotJSON, jsonKind(trimmed[0]))
	}
	var head struct {
		Event     value `json:"event"`
		EventType value `json:"event_type"`
	}
	// Unmarshal checks the whole body before decoding: one pass validates.
	// value never fails, so any error is a syntax error.
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, "", fmt.Errorf("%w: invalid JSON", ErrNotJSON)
	}
	if head.Event.kind == kindString && cleanText(head.Event.text) != "" {
		return shapeSpec, head.Event.text, nil
	}
	if head.EventType.kind == kindString && cleanText(head.EventType.text) != "" {
		return shapeLive, head.EventType.text, nil
	}
	return 0, "", fmt.Errorf("%w: neither \"event\" nor \"event_type\" is a non-empty string", ErrNoEventType)
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// decodeLenient decodes a JSON object into v as far as it can: a field of
// an unexpected type is left empty instead of failing the whole delivery.
func decodeLenient(raw []byte, v any) {
	_ = json.Unmarshal(raw, v) // encoding/json skips mistyped fields and goes on
}

// redact returns a copy of raw in which the value of every top-level
// secret_key member is replaced by "[redacted]". It splices bytes at the
// decoder's offsets, so every other byte stays as received.
func redact(raw []byte) json.RawMessage {
	// Most deliveries have no such member: skip the walk unless the name
	// is there, or could be spelled with escapes.
	if !bytes.Contains(raw, []byte(`"`+secretField+`"`)) && !bytes.Contains(raw, []byte(`\u`)) {
		return bytes.Clone(raw)
	}
	var spans [][2]int
	_ = walkTopLevel(raw, func(k string, start, end int) {
		if k == secretField {
			spans = append(spans, [2]int{start, end})
		}
	})
	out := make([]byte, 0, len(raw))
	last := 0
	for _, s := range spans {
		out = append(out, raw[last:s[0]]...)
		out = append(out, redactedSecret...)
		last = s[1]
	}
	return append(out, raw[last:]...)
}

// walkTopLevel calls fn for each member of the JSON object raw with the
// member's key and the byte offsets [start, end) of its value.
func walkTopLevel(raw []byte, fn func(key string, start, end int)) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ErrNotJSON
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		// The offset is just past the key; the value starts after the colon.
		start := int(dec.InputOffset())
		for start < len(raw) && (raw[start] == ':' || isJSONSpace(raw[start])) {
			start++
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		fn(key, start, int(dec.InputOffset()))
	}
	return nil
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
