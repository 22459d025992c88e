package triage

import (
	"regexp"
	"slices"
	"testing"
	"unicode/utf8"
)

func TestReferral(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"address only", "I'm no longer with the company, contact jane@x.com", "jane@x.com"},
		{"name after contact", "I'm not the right person - please contact Maria Lopez.", "Maria Lopez"},
		{"name and address", "Wrong person. Please reach out to Maria Lopez (maria.lopez@acme.com), she runs marketing.", "Maria Lopez <maria.lopez@acme.com>"},
		{"role before the name", "I don't handle this. You'll want to speak with our VP of Sales, Marcus Bell.", "Marcus Bell"},
		{"name before a cue", "Sorry, wrong person - our Head of Sales, Tom Baker, handles this.", "Tom Baker"},
		{"german title and surname", "Dafür bin ich nicht zuständig, bitte wenden Sie sich an Frau Schmidt.", "Frau Schmidt"},
		{"german title and full name", "Ich bin nicht mehr bei der Firma Kessler. Wenden Sie sich an Herrn Markus Frank: markus.frank@kessler.de", "Markus Frank <markus.frank@kessler.de>"},
		{"french hyphenated name", "Je ne suis pas la bonne personne, adressez-vous à Jean-Luc Dupont.", "Jean-Luc Dupont"},
		{"spanish particles", "No soy la persona adecuada. Contacta con Ana de la Fuente.", "Ana de la Fuente"},
		{"no one named", "I'm not the right person for this.", ""},
		{"a department is not a person", "Dafür bin ich nicht zuständig. Das entscheidet bei uns die Geschäftsführung.", ""},
		{"company is not a person", "Ich habe Ihre Mail an unseren Einkauf weitergeleitet.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(Reply{Subject: "Re: Quick question", Body: tt.body})
			if got.Class != WrongPerson {
				t.Fatalf("Classify = %s (%s), want wrong_person", got.Class, got.Reason)
			}
			if got.Referral != tt.want {
				t.Errorf("Referral = %q, want %q", got.Referral, tt.want)
			}
		})
	}
}

// TestReferralOnlyForWrongPerson checks that an out-of-office deputy is not
// reported as a referral: Referral belongs to wrong_person.
func TestReferralOnlyForWrongPerson(t *testing.T) {
	got := Classify(Reply{Body: "I'm on parental leave. Please contact Tom Fischer (tom@x.com) in the meantime."})
	if got.Class != OutOfOffice || got.Referral != "" {
		t.Errorf("Classify = %+v, want out_of_office without referral", got)
	}
}

// nameWord is what nameWords finds.
var nameWord = regexp.MustCompile(`\p{L}[\p{L}\p{M}'’-]*\.?`)

func TestNameWords(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r > 0xFFFF && r%61 != 0 {
			continue // beyond the common plane, a sample
		}
		checkNameWords(t, "x"+string(r)+"x "+string(r)+".")
	}
	for _, body := range corpusBodies(t) {
		checkNameWords(t, body)
	}
}

func FuzzNameWords(f *testing.F) {
	f.Add("Jean-Luc Dupont, Mr. O’Brien and Ana de la Fuente.\xff é\u0301")
	f.Fuzz(checkNameWords)
}

func checkNameWords(t *testing.T, text string) {
	for _, n := range []int{2000, 2} {
		var got [][]int
		for m := range nameWords(text, n) {
			got = append(got, m[:])
		}
		if want := nameWord.FindAllStringIndex(text, n); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("nameWords(%q, %d) = %v, want %v", text, n, got, want)
		}
	}
}
