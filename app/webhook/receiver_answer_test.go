package webhook

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWriteReceivedIsWriteJSON checks that the hand-written acknowledgement
// is byte for byte what writeJSON writes for it.
func TestWriteReceivedIsWriteJSON(t *testing.T) {
	for _, id := range []string{"1", "1234567890", "", "7<8", "id with \"quotes\""} {
		for _, dup := range []bool{false, true} {
			got, want := httptest.NewRecorder(), httptest.NewRecorder()
			writeReceived(got, answerNote{id: id, dup: dup})
			answer := map[string]any{"status": "received", "id": id}
			if dup {
				answer["duplicate"] = true
			}
			writeJSON(want, http.StatusOK, answer)
			if got.Code != want.Code || got.Body.String() != want.Body.String() ||
				got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("id %q dup %v: got %d %q %q, want %d %q %q", id, dup,
					got.Code, got.Header().Get("Content-Type"), got.Body, want.Code, want.Header().Get("Content-Type"), want.Body)
			}
		}
	}
}
