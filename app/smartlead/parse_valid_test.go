package smartlead

import (
	"encoding/json"
	"strings"
	"testing"
)

// validCases are bodies on both sides of the edges of JSON's syntax.
var validCases = []string{
	``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `"a"`, `0`, `-0`, `1.5e+3`, `1E-3`, `-`, `01`, `1.`, `.5`, `1e`, `1e+`,
	`true`, `false`, `null`, `tru`, `nul`, `truex`, `nullnull`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{a:1}`,
	`{"a":1 "b":2}`, `{"a":[1,{"b":null}],"c":"d"}`, `"\u00e9\n\t\"\\\/\b\f\r"`, `"\u00g0"`, `"\x"`, `"a` + "\x01" + `"`,
	"\"\xff\xfe\"", `"\ud800"`, `"unterminated`, `[1 2]`, `{"a":1}{}`, `{"a":1} `, "\t\n\r[1]\r\n", "\v1",
	`[-1.0e-0]`, `[1.0E+01]`, `{"":""}`, `[[[[]]]]`, `[[[[]]]`, `{"a":{"b":{"c":{}}}}`, `"\u"`, `"\u123"`, `"\u1234"`,
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
	strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
	strings.Repeat(`{"a":`, maxNesting+1) + "1" + strings.Repeat("}", maxNesting+1),
}

func TestValidJSONIsJSONValid(t *testing.T) {
	for _, c := range validCases {
		name := c
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
				t.Errorf("validJSON = %v, json.Valid = %v", got, want)
			}
		})
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	for _, b := range addFixtureSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", b, got, want)
		}
	})
}
