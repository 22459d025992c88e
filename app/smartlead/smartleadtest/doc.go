// Package smartleadtest is a fake SmartLead, in the manner of
// net/http/httptest: a real HTTP server on a loopback port that answers the
// REST API of both webhook families (the spec's /webhook/... and the live
// service's /campaigns/{id}/webhooks) and sends webhook deliveries in both
// payload shapes over real HTTP, signed as SmartLead signs them, with
// SmartLead's habits: retries after failed answers, disabling a webhook that
// keeps failing, duplicates and out-of-order deliveries. Like SmartLead it
// remembers what it could not deliver (re-sent, signed as before, by
// retrigger-failed-events for a campaign and a time window) and each lead's
// thread (message-history, replies included, even those a disabled webhook
// never got), so tests can take the receiver down and check what comes back.
//
// Tests use it in place of SmartLead's servers, which they cannot reach;
// `leadbell demo` runs it as a simulator (Server.Run streams a realistic
// flow of events), and `leadbell trigger` uses its Generator to build one
// sample payload.
//
// A Generator is deterministic from its seed: the same seed (and the same
// clock) gives the same campaigns, leads, texts and payload bytes.
package smartleadtest
