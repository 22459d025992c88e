package triage

import (
	"testing"
	"time"
)

// FuzzClassify checks that any reply, however malformed, gives one of the
// classes with a reason, and a return date or referral only where they
// belong.
func FuzzClassify(f *testing.F) {
	f.Add("Re: hi", "Out of office until 12/01. Contact Maria Lopez <m@x.com>", "Auto-Submitted", "auto-replied", int64(1766000000))
	f.Add("", "> quoted\nOn Mon wrote:\n", "", "", int64(0))
	f.Add("AW: x", "Ich bin nicht zuständig, wenden Sie sich an Frau É", "Precedence", "bulk", int64(-62135596800))
	f.Add("\xff\xfe", "bis 31.02.99 \x00 jusqu'au 1er janvier ¿qué?", "content-type", "multipart/report; delivery-status", int64(1<<40))
	f.Fuzz(func(t *testing.T, subject, body, name, value string, sec int64) {
		got := Classify(Reply{Subject: subject, Body: body, Headers: map[string]string{name: value}, Received: time.Unix(sec, 0)})
		if !got.Class.Valid() {
			t.Fatalf("class %q is not one of the classes", got.Class)
		}
		if got.Reason == "" {
			t.Fatal("empty reason")
		}
		if !got.ReturnDate.IsZero() && got.Class != OutOfOffice {
			t.Fatalf("return date on %s", got.Class)
		}
		if got.Referral != "" && got.Class != WrongPerson {
			t.Fatalf("referral on %s", got.Class)
		}
	})
}
