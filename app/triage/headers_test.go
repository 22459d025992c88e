package triage

import (
	"strings"
	"testing"
)

func TestHeaders(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		body    string
		want    Class
		reason  string // a part of the reason, when checked
	}{
		{"auto-submitted beats interested text", map[string]string{"Auto-Submitted": "auto-replied"}, "Thanks for your interest! We'd love to set up a call.", AutoReply, "Auto-Submitted: auto-replied"},
		{"auto-submitted no is a person", map[string]string{"Auto-Submitted": "no"}, "Sounds interesting, let's talk.", Interested, ""},
		{"names are case-insensitive", map[string]string{"auto-submitted": "auto-generated"}, "Please remove me from your list.", AutoReply, "Auto-Submitted"},
		{"x-autoreply with out-of-office text", map[string]string{"X-Autoreply": "yes"}, "I'm out of the office until Monday.", OutOfOffice, ""},
		{"precedence bulk", map[string]string{"Precedence": "bulk"}, "We will get back to you shortly.", AutoReply, "Precedence: bulk"},
		{"precedence of a person is ignored", map[string]string{"Precedence": "first-class"}, "Not interested.", NotInterested, ""},
		{"delivery report beats out-of-office text", map[string]string{"Content-Type": "multipart/report; report-type=delivery-status; boundary=x"}, "I'm out of the office until Monday.", AutoReply, "delivery report"},
		{"mailer-daemon", map[string]string{"From": "Mail Delivery System <MAILER-DAEMON@mx.example.com>"}, "Sounds good.", AutoReply, "MAILER-DAEMON"},
		{"automatic and left the company", map[string]string{"Auto-Submitted": "auto-generated"}, "Jane Doe is no longer with ACME. Please contact info@acme.com.", WrongPerson, ""},
		{"long value is not echoed", map[string]string{"Auto-Submitted": strings.Repeat("x", 500)}, "hello", AutoReply, "Auto-Submitted: …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(Reply{Subject: "Re: Quick question", Body: tt.body, Headers: tt.headers})
			if got.Class != tt.want {
				t.Errorf("Classify = %s (%s), want %s", got.Class, got.Reason, tt.want)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tt.reason)
			}
		})
	}
}
