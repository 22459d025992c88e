package smartlead

import (
	"encoding/json"
	"testing"
)

func TestValueInt(t *testing.T) {
	tests := map[string]int{
		`3`: 3, `"3"`: 3, `" 3 "`: 3, `-2`: -2, `3.0`: 3, `"3.0"`: 3, `3e2`: 300,
		`3.5`: 0, `"three"`: 0, `null`: 0, `true`: 0, `[3]`: 0, `{"n":3}`: 0, `""`: 0,
		`1e20`: 0, `99999999999999999999`: 0,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			var v value
			if err := json.Unmarshal([]byte(in), &v); err != nil {
				t.Fatal(err)
			}
			if got := v.int(); got != want {
				t.Errorf("int() = %d, want %d", got, want)
			}
		})
	}
}

func TestValueStr(t *testing.T) {
	tests := map[string]string{
		`"1482956"`: "1482956", `1482956`: "1482956", `" abc\u0000 "`: "abc",
		`12345678901234567890123`: "12345678901234567890123",
		`null`:                    "", `true`: "", `[1]`: "", `{"a":"b"}`: "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			var v value
			if err := json.Unmarshal([]byte(in), &v); err != nil {
				t.Fatal(err)
			}
			if got := v.str(); got != want {
				t.Errorf("str() = %q, want %q", got, want)
			}
		})
	}
}
