package smartlead

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// IdempotencyKey returns the key that identifies the event a delivery
// carries, so that retries and re-triggered deliveries of one event are
// stored once. It is what Parse puts in event.Event.Key:
//
//   - spec shape: "spec|" + lead_id + "|" + event + "|" + timestamp, the
//     spec's own recipe (lead_id as a string whether it came as a number or
//     a string, the timestamp as sent);
//   - live shape: "live|" + event_type + "|" + id + "|" + time, where id is
//     stats_id, else reply_message.message_id, else message_id, and time is
//     event_timestamp as sent, else the event's own time field as sent
//     (time_replied, time_opened, ...);
//   - when those parts are missing, or the body cannot be parsed:
//     "raw|" + the hex SHA-256 of the body, with a top-level secret_key
//     redacted so that the key never depends on the secret.
func IdempotencyKey(raw []byte) string {
	ev, err := Parse(raw)
	if err != nil {
		return rawKey(Redact(raw))
	}
	return ev.Key
}

// keyParts are the fields that identify an event within its family.
type keyParts struct {
	prefix string   // "spec" or "live"
	parts  []string // each required; any empty one falls back to the raw key
}

// key builds the idempotency key from the parts, or from the (redacted)
// body when a part is missing.
func (k keyParts) key(redacted []byte) string {
	if k.prefix == "" {
		return rawKey(redacted)
	}
	for _, p := range k.parts {
		if p == "" {
			return rawKey(redacted)
		}
	}
	return k.prefix + "|" + strings.Join(k.parts, "|")
}

// rawKey is the fallback key: the hash of the body.
func rawKey(body []byte) string {
	sum := sha256.Sum256(body)
	return "raw|" + hex.EncodeToString(sum[:])
}
