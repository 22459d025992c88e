package triage

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Example is one labelled reply of a corpus file, one JSON object per
// line: lang, class, subject, body, and optionally headers, received
// (RFC 3339), return_date (2006-01-02) and referral.
type Example struct {
	Lang       string            `json:"lang"`
	Class      Class             `json:"class"`
	Subject    string            `json:"subject"`
	Body       string            `json:"body"`
	Headers    map[string]string `json:"headers,omitempty"`
	Received   time.Time         `json:"received,omitzero"`
	ReturnDate string            `json:"return_date,omitempty"`
	Referral   string            `json:"referral,omitempty"`
}

// ClassScore counts how one class fared.
type ClassScore struct {
	Class                                Class
	TruePos, FalsePos, FalseNeg, Support int
}

// Precision is the share of replies given this class that had it; 0 when
// none was given it.
func (s ClassScore) Precision() float64 { return ratio(s.TruePos, s.TruePos+s.FalsePos) }

// Recall is the share of replies of this class that were given it; 0 when
// there were none.
func (s ClassScore) Recall() float64 { return ratio(s.TruePos, s.TruePos+s.FalseNeg) }

// Miss is a reply classified wrongly, or with the wrong date or referral.
type Miss struct {
	Line       int
	Want, Got  string
	Reason     string // Classify's reason
	Subject    string
	FirstWords string
}

// Tally counts the replies of one language given their class.
type Tally struct{ Correct, Total int }

// Report is how Classify fared on a corpus.
type Report struct {
	Total, Correct int
	Classes        []ClassScore // in the order of Classes
	ByLang         map[string]Tally
	// Return dates of the out_of_office examples and referrals of the
	// wrong_person examples: how many were read exactly (an example
	// without one is right when none is read).
	DatesRight, Dates         int
	ReferralsRight, Referrals int
	Misses                    []Miss
}

// Accuracy is the share of replies given their class.
func (r Report) Accuracy() float64 { return ratio(r.Correct, r.Total) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate classifies every example of a corpus (see Example) and scores
// the result. It fails on a line that is not an example, naming the line.
func Evaluate(r io.Reader) (Report, error) {
	rep := Report{ByLang: map[string]Tally{}}
	scores := map[Class]*ClassScore{}
	for _, c := range Classes {
		scores[c] = &ClassScore{Class: c}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var ex Example
		if err := json.Unmarshal([]byte(text), &ex); err != nil {
			return Report{}, fmt.Errorf("triage: corpus line %d: %w", line, err)
		}
		if !ex.Class.Valid() {
			return Report{}, fmt.Errorf("triage: corpus line %d: unknown class %q", line, ex.Class)
		}
		got := Classify(Reply{Subject: ex.Subject, Body: ex.Body, Headers: ex.Headers, Received: ex.Received})
		rep.Total++
		scores[ex.Class].Support++
		lang := rep.ByLang[ex.Lang]
		lang.Total++
		miss := Miss{Line: line, Want: string(ex.Class), Got: string(got.Class), Reason: got.Reason, Subject: ex.Subject, FirstWords: firstWords(ex.Body)}
		if got.Class == ex.Class {
			rep.Correct++
			lang.Correct++
			scores[ex.Class].TruePos++
		} else {
			scores[ex.Class].FalseNeg++
			scores[got.Class].FalsePos++
			rep.Misses = append(rep.Misses, miss)
		}
		rep.ByLang[ex.Lang] = lang
		switch ex.Class {
		case OutOfOffice:
			rep.Dates++
			gotDate := ""
			if !got.ReturnDate.IsZero() {
				gotDate = got.ReturnDate.Format(time.DateOnly)
			}
			if gotDate == ex.ReturnDate {
				rep.DatesRight++
			} else if got.Class == ex.Class {
				miss.Want, miss.Got = "return date "+orNone(ex.ReturnDate), orNone(gotDate)
				rep.Misses = append(rep.Misses, miss)
			}
		case WrongPerson:
			rep.Referrals++
			if strings.EqualFold(got.Referral, ex.Referral) {
				rep.ReferralsRight++
			} else if got.Class == ex.Class {
				miss.Want, miss.Got = "referral "+orNone(ex.Referral), orNone(got.Referral)
				rep.Misses = append(rep.Misses, miss)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Report{}, fmt.Errorf("triage: unable to read corpus: %w", err)
	}
	if rep.Total == 0 {
		return Report{}, errors.New("triage: corpus has no examples")
	}
	for _, c := range Classes {
		rep.Classes = append(rep.Classes, *scores[c])
	}
	return rep, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func firstWords(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 70 {
		n := 70
		for n > 0 && s[n]&0xC0 == 0x80 {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}

// String renders the report as a markdown table of precision and recall
// per class, then accuracy overall and per language, and how many return
// dates and referrals were read right.
func (r Report) String() string {
	var b strings.Builder
	b.WriteString("| class | precision | recall | support |\n|---|---:|---:|---:|\n")
	for _, s := range r.Classes {
		fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", s.Class, percent(s.TruePos, s.TruePos+s.FalsePos), percent(s.TruePos, s.TruePos+s.FalseNeg), s.Support)
	}
	fmt.Fprintf(&b, "\naccuracy %s (%d of %d)", percent(r.Correct, r.Total), r.Correct, r.Total)
	for _, l := range []string{"en", "de", "fr", "es"} {
		if n, ok := r.ByLang[l]; ok {
			fmt.Fprintf(&b, "; %s %s", l, percent(n.Correct, n.Total))
		}
	}
	fmt.Fprintf(&b, "\nreturn dates right %d of %d; referrals right %d of %d\n", r.DatesRight, r.Dates, r.ReferralsRight, r.Referrals)
	return b.String()
}

// MissesString lists the misses, one a line, for a test log.
func (r Report) MissesString() string {
	var b strings.Builder
	for _, m := range r.Misses {
		fmt.Fprintf(&b, "line %d: want %s, got %s (%s) | %s | %s\n", m.Line, m.Want, m.Got, m.Reason, m.Subject, m.FirstWords)
	}
	return b.String()
}

func percent(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}
