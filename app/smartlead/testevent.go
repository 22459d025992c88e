package smartlead

// SmartLead's test event. SmartLead "will send test events when you save
// the webhook" (the spec), and its help pages tell users to press "Test
// Webhook" to get "the defined sample response": the Example Response of
// each event's help page. Two markers tell such a sample from a real
// event, and either is enough:
//
//   - secret_key is the word "secretkey": docs/smartlead-api.md reports the
//     dashboard's test event carries it literally (from a function that
//     captured one); no copy of that capture is at hand;
//   - stats_id is the word "id": every Example Response on SmartLead's help
//     pages (reply, threaded reply, open, click, bounce, sent) has
//     "stats_id": "id", where a real delivery has a UUID
//     (testdata/pages/SOURCES.md, "Other evidence").
const (
	testEventSecret  = "secretkey"
	testEventStatsID = "id"
)

// IsTestEvent reports whether raw is SmartLead's test event: a sample, not
// something that happened to a lead. Leadbell takes it as SmartLead's
// confirmation that it reaches the webhook, and never stores it as an
// event.
func IsTestEvent(raw []byte) bool {
	if secret, ok := BodySecret(raw); ok && secret == testEventSecret {
		return true
	}
	stats, ok := topLevelString(raw, "stats_id")
	return ok && stats == testEventStatsID
}
