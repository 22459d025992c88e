package triage

import (
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	corpus := `{"lang":"en","class":"unsubscribe","subject":"Re: x","body":"Please remove me from your list."}

{"lang":"de","class":"out_of_office","subject":"Abwesenheitsnotiz","body":"Ich bin bis zum 12.01.2027 nicht im Büro.","return_date":"2027-01-12"}
{"lang":"en","class":"interested","subject":"Re: x","body":"No thanks."}
`
	rep, err := Evaluate(strings.NewReader(corpus))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 3 || rep.Correct != 2 || rep.DatesRight != 1 || rep.Dates != 1 {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].Line != 4 || rep.Misses[0].Got != string(NotInterested) {
		t.Errorf("misses = %+v", rep.Misses)
	}
	var interested ClassScore
	for _, s := range rep.Classes {
		if s.Class == Interested {
			interested = s
		}
	}
	if interested.Recall() != 0 || interested.Support != 1 {
		t.Errorf("interested = %+v", interested)
	}
	out := rep.String()
	for _, want := range []string{"| class | precision | recall | support |", "| unsubscribe | 1.00 | 1.00 | 1 |", "| interested | – | 0.00 | 1 |", "accuracy 0.67 (2 of 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("String() lacks %q:\n%s", want, out)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct{ name, corpus, want string }{
		{"not json", `{"lang":"en","class":"question","body":"?"}` + "\nnot json\n", "line 2"},
		{"unknown class", `{"lang":"en","class":"maybe","body":"?"}`, `unknown class "maybe"`},
		{"empty", "\n\n", "no examples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(strings.NewReader(tt.corpus))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
