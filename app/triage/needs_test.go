package triage

import (
	"regexp/syntax"
	"slices"
	"testing"
)

func TestNeeds(t *testing.T) {
	tests := []struct {
		expr string
		want []string // the needs of each branch, best first, as branch.String
	}{
		{`\b(?:no longer (with|at)|has left)\b`, []string{"{no longer with,no longer at}", "{has left}"}},
		// "." is a byte a match may have before or after the string; the
		// digits of \d+ and the spaces of \s* are not counted.
		{`\bticket #?\d+`, []string{"{ticket }. {ticket ,ticket #} ........{0,1,2,3,4,5,6,7,8,9}"}},
		{`\b(monday|friday)\b[^.\n]{0,2}?\d`, []string{"{monday,friday}......... ..............{0,1,2,3,4,5,6,7,8,9}"}},
		{`^\s*(?:stop|remove)\s*$`, []string{"{stop,remove}"}},
		{`x*|y`, []string{"", "{y}"}}, // x* needs nothing: its scanner reads every text whole
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			re, err := syntax.Parse(tt.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			bs, ok := branches(re)
			if !ok {
				t.Fatal("not read")
			}
			var got []string
			for _, b := range bs {
				got = append(got, b.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("needs = %q, want %q", got, tt.want)
			}
		})
	}
}
