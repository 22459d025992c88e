// Package smartlead holds SmartLead's vocabulary for Leadbell: the event
// model, the parsing of webhook deliveries, the checks that a delivery
// came from SmartLead, and the API client.
//
// # Two payload families
//
// The specification Leadbell implements (smartlead-webhooks.txt) describes
// a nested payload keyed by "event" (EMAIL_REPLIED, with lead{...},
// reply{...}, ...). The live service, as its public documentation and the
// code that talks to it show, sends an older flat payload keyed by
// "event_type" (EMAIL_REPLY, with sl_lead_email, reply_message{...}, and
// deprecated fields on older accounts). Parse accepts both and normalises
// them into one event.Event that uses the spec's names, keeping the name as sent
// in SourceType; names it does not know become event.Other and are still
// kept. Both families send ids as numbers or as strings, timestamps in
// several formats, and reply text as plain text, HTML or both, written by
// strangers: Parse reads all of them leniently, turns HTML into plain text,
// strips control characters, and leaves missing fields empty rather than
// guessing. A field of an unexpected type reads as missing instead of
// losing the delivery; only a body that is not a JSON object, or one
// without an event type, is an error.
//
// Deliveries are retried, re-triggered and reordered, so each event.Event carries
// an idempotency key (IdempotencyKey) built from the fields that identify
// the event in its family, or from the body's hash when those are missing.
//
// # Layered verification
//
// The sources disagree on how SmartLead authenticates a delivery, so
// Leadbell layers its checks. First, the webhook URL it registers carries a
// long random token in its path: a delivery to that path is from whoever
// SmartLead was told about, and that alone makes it verified (the receiver
// checks the path, not this package). Second, when the user has set a
// webhook secret, a delivery must also prove it: with a SignatureHeader
// holding the HMAC-SHA256 of the raw body (VerifySignature), or, on
// deliveries without that header, with a top-level secret_key field equal
// to the secret (BodySecret and VerifySecretKey). Signatures are always
// computed over the bytes as received, never over re-serialised JSON, and
// every comparison is constant-time. Errors never echo the secret, the
// expected signature or the value received, and event.Event.Raw has secret_key
// redacted so the secret is not stored with the event.
package smartlead
