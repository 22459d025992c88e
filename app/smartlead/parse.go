package smartlead

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/leadbell/leadbell/event"
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

// redactedSecret replaces a top-level secret_key value in event.Event.Raw.
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
func Parse(raw []byte) (event.Event, error) {
	var p payload
	if err := decodePayload(raw, &p); err != nil {
		return event.Event{}, err
	}
	sh, name, err := p.classify()
	if err != nil {
		return event.Event{}, err
	}
	var ev event.Event
	var key keyParts
	if sh == shapeSpec {
		ev, key = parseSpec(&p)
	} else {
		ev, key = parseLive(&p)
	}
	ev.SourceType = cleanText(name)
	ev.Type = mapType(ev.SourceType)
	ev.Raw = redactObject(raw)
	ev.Key = key.key(ev.Raw)
	return ev, nil
}

// payload is a delivery of either family, decoded in one pass: the fields
// of both shapes, those they share once. Decoding fields of the other
// shape costs nothing when they are absent, as they normally are.
type payload struct {
	specFields
	liveFields

	CampaignID     value   `json:"campaign_id"`
	CampaignName   value   `json:"campaign_name"`
	LeadID         value   `json:"lead_id"` // live: LEAD_CATEGORY_UPDATED
	SequenceNumber value   `json:"sequence_number"`
	OpenedCount    value   `json:"opened_count"`
	AppURL         value   `json:"app_url"` // the live family's deep link
	BounceMessage  message `json:"bounce_message"`
}

// BodySecret returns the top-level secret_key string field of a delivery,
// which live-shape payloads use in place of a signature header. ok is false
// when the body is not a JSON object or has no such string field; when the
// field repeats, the last one counts, as in encoding/json.
func BodySecret(raw []byte) (secret string, ok bool) {
	return topLevelString(raw, secretField)
}

// topLevelString returns the top-level string field key of a JSON object;
// ok is false when raw is not one or has no such string field. When the
// field repeats, the last one counts, as in encoding/json.
func topLevelString(raw []byte, key string) (val string, ok bool) {
	if !validJSON(raw) {
		return "", false
	}
	walkObject(raw, func(k string, start, end int) {
		if k != key {
			return
		}
		val, ok = "", false
		if raw[start] == '"' && json.Unmarshal(raw[start:end], &val) == nil {
			ok = true
		}
	})
	return val, ok
}

// shape is the payload family a delivery belongs to.
type shape int

const (
	shapeSpec shape = iota // nested, keyed by "event"
	shapeLive              // flat, keyed by "event_type"
)

// decodePayload checks that raw is a JSON object and decodes it into p as
// far as it can (see parse_decode.go): a field of an unexpected type is
// left empty instead of failing the whole delivery.
func decodePayload(raw []byte, p *payload) error {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return fmt.Errorf("%w: empty body", ErrNotJSON)
	case trimmed[0] != '{':
		if !validJSON(raw) {
			return fmt.Errorf("%w: invalid JSON", ErrNotJSON)
		}
		return fmt.Errorf("%w: body is a JSON %s", ErrNotJSON, jsonKind(trimmed[0]))
	}
	if !validJSON(raw) {
		return fmt.Errorf("%w: invalid JSON", ErrNotJSON)
	}
	payloadDecoder.decode(reflect.ValueOf(p).Elem(), raw)
	return nil
}

var payloadDecoder = newStructDecoder(reflect.TypeFor[payload]())

// classify says which family p is and returns its event name. A non-empty
// "event" wins over "event_type", as the spec's names are the ones
// Leadbell promises.
func (p *payload) classify() (shape, string, error) {
	if p.Event.kind == kindString && cleanText(p.Event.text) != "" {
		return shapeSpec, p.Event.text, nil
	}
	if p.EventType.kind == kindString && cleanText(p.EventType.text) != "" {
		return shapeLive, p.EventType.text, nil
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
