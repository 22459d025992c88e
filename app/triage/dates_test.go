package triage

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReturnDate(t *testing.T) {
	wed := date("2026-05-13") // a Wednesday
	tests := []struct {
		name, body string
		received   time.Time
		want       string // 2006-01-02, or "" for none
	}{
		{"month name, year rolls over", "I'm out of the office until January 12.", date("2026-12-20"), "2027-01-12"},
		{"ordinal and weekday", "I am out of the office until Monday, March 16th.", date("2026-03-10"), "2026-03-16"},
		{"slash, only one reading plausible", "Out of office, back on 12/01.", date("2026-12-20"), "2027-01-12"},
		{"slash, both readings plausible", "Out of office, back on 12/01.", date("2026-11-20"), ""},
		{"slash, month first because day > 12", "On leave, back on 4/27.", date("2026-03-02"), "2026-04-27"},
		{"slash with year, French day first", "En déplacement, de retour au bureau le 05/03/2026.", date("2026-02-27"), "2026-03-05"},
		{"iso", "Out of office, returning 2026-04-27.", date("2026-04-01"), "2026-04-27"},
		{"german dotted with year", "Ich bin bis zum 12.01.2027 nicht im Büro.", date("2026-12-21"), "2027-01-12"},
		{"german range", "Ich bin vom 22.12. bis 06.01. im Urlaub.", date("2026-12-19"), "2027-01-06"},
		{"german wieder after the date", "Ich bin krankheitsbedingt abwesend und ab dem 2. März wieder erreichbar.", date("2026-02-20"), "2026-03-02"},
		{"german weekday with wieder", "Ich bin auf Dienstreise und ab Mittwoch wieder im Büro.", date("2026-06-08"), "2026-06-10"},
		{"french jusqu'au", "Je suis absente jusqu'au 12 janvier inclus.", date("2026-12-20"), "2027-01-12"},
		{"french range of days", "Je suis en congés du 3 au 21 août.", date("2026-08-01"), "2026-08-21"},
		{"french start then return", "Je serai absent à partir du 18 décembre et de retour le 4 janvier 2027.", date("2026-12-17"), "2027-01-04"},
		{"spanish hasta el", "Estoy fuera de la oficina hasta el 12 de enero.", date("2026-12-20"), "2027-01-12"},
		{"spanish range", "Estaré fuera de la oficina del 3 al 14 de agosto.", date("2026-08-02"), "2026-08-14"},
		{"spanish weekday", "Estoy de vacaciones. Vuelvo el lunes.", date("2026-07-22"), "2026-07-27"},
		{"back Monday", "I'm travelling this week. Back Monday.", wed, "2026-05-18"},
		{"back Monday on a Monday means next week", "I'm travelling. Back Monday.", date("2026-05-18"), "2026-05-25"},
		{"back tomorrow", "I'm out of the office today, back tomorrow.", wed, "2026-05-14"},
		{"stale auto-reply keeps its date", "Out of office until January 3.", date("2026-01-05"), "2026-01-03"},
		{"no return word", "I am out of the office on 12 January.", date("2026-01-05"), ""},
		{"start of absence only", "Out of office from 22 December.", date("2026-12-01"), ""},
		{"month and year only", "I'm on maternity leave until September 2027.", date("2026-11-03"), ""},
		{"no such day", "Out of office until 31 April.", date("2026-04-01"), ""},
		{"weekday without received", "I'm travelling. Back Monday.", time.Time{}, ""},
		{"month name without received", "Out of office until January 12.", time.Time{}, ""},
		{"explicit year without received", "Ich bin bis zum 12.01.2027 nicht im Büro.", time.Time{}, "2027-01-12"},
		{"ambiguous slash without received", "Out of office until 2/3/2027.", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(Reply{Subject: "Automatic reply", Body: tt.body, Received: tt.received})
			if got.Class != OutOfOffice {
				t.Fatalf("Classify = %s (%s), want out_of_office", got.Class, got.Reason)
			}
			gotDate := ""
			if !got.ReturnDate.IsZero() {
				gotDate = got.ReturnDate.Format(time.DateOnly)
			}
			if gotDate != tt.want {
				t.Errorf("ReturnDate = %q, want %q (reason %q)", gotDate, tt.want, got.Reason)
			}
		})
	}
}

func TestReturnDateLocationAndReason(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	received := time.Date(2026, 12, 20, 23, 30, 0, 0, berlin)
	got := Classify(Reply{Body: "Ich bin bis zum 12. Januar im Urlaub.", Received: received})
	want := time.Date(2027, 1, 12, 0, 0, 0, 0, berlin)
	if !got.ReturnDate.Equal(want) || got.ReturnDate.Location() != berlin {
		t.Errorf("ReturnDate = %v, want %v", got.ReturnDate, want)
	}
	if got.Reason != "says they are on holiday until 12 January 2027" {
		t.Errorf("Reason = %q", got.Reason)
	}
	got = Classify(Reply{Body: "Out of office until 14 April.", Received: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)})
	if got.Reason != "says they are out of the office until 14 April" {
		t.Errorf("Reason = %q", got.Reason)
	}
}
