// Package simulator is a fake SmartLead, in the manner of
// net/http/httptest: a real HTTP server on a loopback port that answers
// SmartLead's REST API as the evidence in docs/smartlead-api.md says the
// real service does, and refuses what it refuses, so that a client's
// mistakes are met in tests rather than by users.
//
// An account is one of two kinds (Family): FamilyLive has only the
// per-campaign webhook API (/campaigns/{id}/webhooks), the one
// independent code is known to use; FamilyBoth also has the global API
// in the form SmartLead's current docs give (/webhook/create, ...).
// Routes an account lacks answer Express's HTML 404 (or a gateway's JSON
// one). Bodies are checked as SmartLead's Joi schemas check them: live
// event names only, a non-empty list of the account's lead categories
// (GET /leads/fetch-categories), string association types; refusals come
// as 400 {"message": ...} in Joi's words.
//
// The fake sends webhook deliveries in both payload shapes over real
// HTTP, signed as SmartLead signs them, with SmartLead's habits: a test
// event each time a webhook is saved, user-level webhooks taking priority
// over client- and campaign-level ones, category updates only for the
// categories a webhook names, retries after failed answers, disabling a
// webhook that keeps failing, duplicates and out-of-order deliveries.
// Like SmartLead it remembers what it could not deliver (re-sent, signed
// as before, by retrigger-failed-events for a campaign and a time window)
// and each lead's thread (message-history, replies included, even those a
// disabled webhook never got), so tests can take the receiver down and
// check what comes back. The account changes under the client as a
// user's does: campaigns are added, archived and removed, other tools
// plant their own webhooks, SmartLead disables one.
//
// Tests use it in place of SmartLead's servers, which they cannot reach;
// `leadbell demo` runs it as a simulator (Server.Run streams a realistic
// flow of events), and `leadbell trigger` uses its Generator to build one
// sample payload.
//
// A Generator is deterministic from its seed: the same seed (and the same
// clock, and the same calls) gives the same campaigns, leads, texts and
// payload bytes.
package simulator
