package triage

import (
	"time"
)

// Class is the kind of reply Classify suggests. Its values are a contract
// with the UI and the local API: keep them as they are.
type Class string

// The classes, from the most hopeful to the most mechanical.
const (
	Interested    Class = "interested"     // interested, or wants a meeting
	Question      Class = "question"       // asks something before deciding
	NotNow        Class = "not_now"        // maybe, but later
	NotInterested Class = "not_interested" // no
	Unsubscribe   Class = "unsubscribe"    // asks to be removed or left alone
	OutOfOffice   Class = "out_of_office"  // away, perhaps with a return date
	WrongPerson   Class = "wrong_person"   // not (or no longer) the person to ask
	AutoReply     Class = "auto_reply"     // bounces, ticket receipts, unmonitored mailboxes
)

// Classes lists every Class, in the order reports show them.
var Classes = []Class{Interested, Question, NotNow, NotInterested, Unsubscribe, OutOfOffice, WrongPerson, AutoReply}

// Valid reports whether c is one of Classes.
func (c Class) Valid() bool {
	for _, k := range Classes {
		if c == k {
			return true
		}
	}
	return false
}

// Reply is what Classify reads of a reply. Every field is optional.
type Reply struct {
	Subject string
	Body    string // plain text; quoted messages in it are ignored
	// Headers are the reply's mail headers when the caller has them
	// (Auto-Submitted, X-Autoreply, Precedence, Content-Type, From,
	// Return-Path); names are matched without regard to case.
	Headers map[string]string
	// Received is when the reply arrived: "back Monday" and "until 12
	// January" are read relative to it. Without it such dates are left
	// out rather than guessed.
	Received time.Time
}

// Suggestion is Classify's answer.
type Suggestion struct {
	Class Class `json:"class"`
	// Reason says in plain words what the suggestion rests on, for a
	// salesperson: "asks to be removed from the list".
	Reason string `json:"reason"`
	// ReturnDate is the day an out_of_office lead says they are back (or
	// away until), at midnight in Received's location; zero when the text
	// gives none that can be read without guessing.
	ReturnDate time.Time `json:"return_date,omitzero"`
	// Referral is who a wrong_person lead points to, as "Name <address>",
	// "Name" or "address"; empty when they name no one.
	Referral string `json:"referral,omitempty"`
}

// A step is one rule of the order described in doc.go.
type step struct {
	class Class
	cues  func(*language) []cue
	human bool  // only a person writes it: skipped when headers say a program did
	last  []cue // tried after every language's cues: the cues of no language
}

var steps = []step{
	{class: AutoReply, cues: func(l *language) []cue { return l.bounce }},
	{class: Unsubscribe, cues: func(l *language) []cue { return l.unsubscribe }, human: true},
	{class: WrongPerson, cues: wrongPersonCues},
	{class: OutOfOffice, cues: func(l *language) []cue { return l.outOfOffice }},
	{class: AutoReply, cues: func(l *language) []cue { return l.automatic }},
	{class: NotNow, cues: func(l *language) []cue { return l.notNow }, human: true},
	{class: NotInterested, cues: func(l *language) []cue { return l.notInterested }, human: true},
	{class: Interested, cues: func(l *language) []cue { return l.interested }, human: true},
	{class: Question, cues: func(l *language) []cue { return l.question }, human: true, last: []cue{questionMark}},
}

// Classify suggests what a reply is, with the reason in words. It reads
// only what the lead wrote (see doc.go for what is left out and the order
// of the rules), never fails and always returns one of Classes with a
// reason.
func Classify(r Reply) Suggestion {
	l := readLead(r)
	h := readHeaders(r.Headers)
	if h.bounce {
		return Suggestion{Class: AutoReply, Reason: h.reason}
	}
	t := vocabulary.scan(l.folded)
	for _, s := range steps {
		if h.automatic && s.human {
			continue
		}
		c, ok := match(&t, s.cues, s.last...)
		if !ok {
			continue
		}
		switch s.class {
		case Unsubscribe:
			// Someone who has left and names a successor is worth more as
			// a referral than as a removal.
			if w, ok := match(&t, wrongPersonCues); ok {
				if ref := referral(l, &t); ref != "" {
					return wrongPerson(w, ref)
				}
			}
		case WrongPerson:
			return wrongPerson(c, referral(l, &t))
		case OutOfOffice:
			return outOfOffice(c, &t, r.Received)
		}
		return Suggestion{Class: s.class, Reason: c.reason}
	}
	switch {
	case h.automatic:
		return Suggestion{Class: AutoReply, Reason: h.reason}
	case l.folded == "":
		return Suggestion{Class: Question, Reason: "has no text of its own besides the quoted message: read it yourself"}
	}
	return Suggestion{Class: Question, Reason: "shows no clear sign either way: read it yourself"}
}

func wrongPersonCues(l *language) []cue { return l.wrongPerson }

// match returns the first cue that matches t: of the lists cues gives for
// each language in turn, then of last.
func match(t *scanned, cues func(*language) []cue, last ...cue) (cue, bool) {
	for _, lang := range languages {
		for _, c := range cues(lang) {
			if c.scan.matches(t) {
				return c, true
			}
		}
	}
	for _, c := range last {
		if c.scan.matches(t) {
			return c, true
		}
	}
	return cue{}, false
}

// vocabulary finds the strings every scanner of the package needs, in one
// pass over a text.
var vocabulary = newLexicon(allScanners())

// allScanners lists the scanners of the cues, dates and referrals.
func allScanners() []*scanner {
	var out []*scanner
	for _, s := range steps {
		for _, lang := range languages {
			for _, c := range s.cues(lang) {
				out = append(out, c.scan)
			}
		}
		for _, c := range s.last {
			out = append(out, c.scan)
		}
	}
	return append(append(out, dateScanners...), pointsTo, pointedAt)
}

func wrongPerson(c cue, ref string) Suggestion {
	s := Suggestion{Class: WrongPerson, Reason: c.reason, Referral: ref}
	if ref != "" {
		s.Reason += " and points to " + ref
	}
	return s
}

func outOfOffice(c cue, text *scanned, received time.Time) Suggestion {
	s := Suggestion{Class: OutOfOffice, Reason: c.reason}
	if t := returnDate(text, received, guessLang(text.text)); !t.IsZero() {
		s.ReturnDate = t
		s.Reason += " until " + formatDay(t, received)
	}
	return s
}
