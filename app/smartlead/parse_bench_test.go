package smartlead

import (
	"testing"
)

// benchReply is a compact spec-shape reply, as the ingest benchmark
// (bench/ingest.go) sends.
const benchReply = `{"event":"EMAIL_REPLIED","timestamp":"2026-11-20T10:30:00Z","campaign_id":123,"campaign_name":"Q4 SaaS founders — EU","email_account_id":456,"sequence_number":1,"lead_id":"0-1","lead":{"email":"jane.doe@acme.example","first_name":"Jane","last_name":"Doe","company_name":"Acme Corp","custom_fields":{"job_title":"CEO","city":"Lyon"}},"email":{"subject":"Quick question","message_id":"abc123@smartlead.ai"},"reply":{"subject":"Re: Quick question","body":"Thanks for reaching out. We are looking at this for Q1; could you send a short deck and two times that work next week? Best, Jane","received_at":"2026-11-20T10:30:00Z","message_id":"reply-abc123"}}`

// BenchmarkParse parses each payload family's reply fixture, and the
// ingest benchmark's reply.
func BenchmarkParse(b *testing.B) {
	b.Run("bench_reply", func(b *testing.B) {
		raw := []byte(benchReply)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, file := range []string{"spec_email_replied.json", "live_email_reply.json", "live_email_open.json"} {
		b.Run(file, func(b *testing.B) {
			raw := readFixture(b, file)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIsTestEvent reads the top-level secret_key and stats_id of the
// same payloads: the receiver does that for every delivery before Parse.
func BenchmarkIsTestEvent(b *testing.B) {
	b.Run("bench_reply", func(b *testing.B) {
		raw := []byte(benchReply)
		b.ReportAllocs()
		for b.Loop() {
			if IsTestEvent(raw) {
				b.Fatal("a test event")
			}
		}
	})
	for _, file := range []string{"spec_email_replied.json", "live_email_reply.json", "live_email_open.json"} {
		b.Run(file, func(b *testing.B) {
			raw := readFixture(b, file)
			b.ReportAllocs()
			for b.Loop() {
				if IsTestEvent(raw) {
					b.Fatal("a test event")
				}
			}
		})
	}
}
