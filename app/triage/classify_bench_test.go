package triage

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkClassify measures a typical reply and the worst shapes of a
// capped body a stranger could send.
func BenchmarkClassify(b *testing.B) {
	received := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)
	bodies := map[string]string{
		"typical":  "Hi Tom,\n\nI'm out of the office until January 12. Please contact Maria Lopez (maria@x.com).\n\nOn Tue, Mar 3, 2026 at 9:12 AM Tom <tom@x.com> wrote:\n> Hi",
		"words":    strings.Repeat("please contact the right person until back on monday ", 400),
		"names":    strings.Repeat("Contact Maria Lopez Garcia de la Fuente, ", 500),
		"dates":    strings.Repeat("until 12.01. bis 3/4 jusqu'au 1er janvier ", 500),
		"lines":    strings.Repeat("On Monday\n", 2000),
		"oneline":  strings.Repeat("a", maxBody),
		"quotes":   strings.Repeat("> quoted\n", 2000),
		"headers":  strings.Repeat("From: x\nSent: y\n", 1000),
		"accented": strings.Repeat("é", maxBody/2),
	}
	for name, body := range bodies {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Classify(Reply{Subject: "Re: x", Body: body, Received: received})
			}
		})
	}
}
