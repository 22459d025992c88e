package smartlead

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in, want string // want "" is the zero time
	}{
		{"2024-01-15T10:30:00Z", "2024-01-15T10:30:00Z"},
		{"2024-01-15T10:30:00.123Z", "2024-01-15T10:30:00.123Z"},
		{"2024-01-15T10:30:00.123456789Z", "2024-01-15T10:30:00.123456789Z"},
		{"2024-01-15T12:30:00+02:00", "2024-01-15T10:30:00Z"},
		{"2024-01-15T10:30:00", "2024-01-15T10:30:00Z"},
		{"2024-01-15 10:30:00", "2024-01-15T10:30:00Z"},
		{"2024-01-15 10:30:00.5", "2024-01-15T10:30:00.5Z"},
		{"2024-01-15 10:30:00+00:00", "2024-01-15T10:30:00Z"},
		{" 2024-01-15T10:30:00Z ", "2024-01-15T10:30:00Z"},
		{"1705314600", "2024-01-15T10:30:00Z"},
		{"1705314600.25", "2024-01-15T10:30:00.25Z"},
		{"1705314600.123", "2024-01-15T10:30:00.123Z"},
		{"1705314600000", "2024-01-15T10:30:00Z"},
		{"1705314600123", "2024-01-15T10:30:00.123Z"},
		{"1705314600123.5", "2024-01-15T10:30:00.1235Z"},
		{"0", "1970-01-01T00:00:00Z"},
		{"", ""},
		{"yesterday", ""},
		{"15/01/2024", ""},
		{"2024-13-45T10:30:00Z", ""},
		{"-1705314600", ""},
		{"1e400", ""},
		{"99999999999999999999999", ""},
		{"9223372036854775807", ""},
		{"0000-01-01T00:00:00+01:00", ""}, // year 0 in UTC: JSON cannot carry it
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseTime(tt.in)
			var want time.Time
			if tt.want != "" {
				want = mustTime(t, tt.want)
			}
			if !got.Equal(want) {
				t.Errorf("parseTime(%q) = %v, want %v", tt.in, got, want)
			}
			if !got.IsZero() && got.Location() != time.UTC {
				t.Errorf("parseTime(%q) is in %v, want UTC", tt.in, got.Location())
			}
		})
	}
}

// TestValueTimeFromNumber checks timestamps sent as JSON numbers.
func TestValueTimeFromNumber(t *testing.T) {
	tests := map[string]string{
		`1705314600`:    "2024-01-15T10:30:00Z",
		`1705314600000`: "2024-01-15T10:30:00Z",
		`1.7053146e9`:   "2024-01-15T10:30:00Z",
		`null`:          "",
		`true`:          "",
		`{}`:            "",
	}
	for in, wantText := range tests {
		t.Run(in, func(t *testing.T) {
			var v value
			if err := json.Unmarshal([]byte(in), &v); err != nil {
				t.Fatal(err)
			}
			var want time.Time
			if wantText != "" {
				want = mustTime(t, wantText)
			}
			if got := v.time(); !got.Equal(want) {
				t.Errorf("time() = %v, want %v", got, want)
			}
		})
	}
}
