package smartlead

import (
	"errors"
	"strings"
	"testing"
)

// Known answers, computed once outside Go (Python's hmac module, and for
// the first one the well-known RFC 2104 / Wikipedia example) and written
// here as constants. The fixture's signature changes if the fixture does.
const (
	kaSecret    = "wh-secret-7f3a9c1e"
	kaFoxSig    = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" // key "key"
	kaReplySig  = "7f112ee66c9bff5b1cd65d2fadc5f52de94bf204318b7f52953fb0b24c01fb34" // testdata/live_email_reply.json
	kaInlineSig = "2aa4e7a195fc1a65228e13cf036fc50d04715a33aef0bb4bb5423a06bf45394d" // kaInline
	kaEmptySig  = "2b30a6010f8913657676ab382f7c0e5ce73b9add059c0e4779b0403bd3d4794c" // empty body
	kaInline    = `{"event":"EMAIL_REPLIED","lead_id":789}`
	kaFox       = "The quick brown fox jumps over the lazy dog"
)

func TestSignKnownAnswers(t *testing.T) {
	tests := []struct {
		name, body, secret, want string
	}{
		{"rfc example", kaFox, "key", kaFoxSig},
		{"fixture", string(readFixture(t, "live_email_reply.json")), kaSecret, kaReplySig},
		{"inline", kaInline, kaSecret, kaInlineSig},
		{"empty body", "", kaSecret, kaEmptySig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign([]byte(tt.body), tt.secret); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestVerifySignature(t *testing.T) {
	reply := string(readFixture(t, "live_email_reply.json"))
	tests := []struct {
		name, body, header, secret string
		want                       error // nil: verified
	}{
		{"bare hex", reply, kaReplySig, kaSecret, nil},
		{"sha256= prefix", reply, "sha256=" + kaReplySig, kaSecret, nil},
		{"SHA256= prefix", reply, "SHA256=" + kaReplySig, kaSecret, nil},
		{"upper-case hex", reply, strings.ToUpper(kaReplySig), kaSecret, nil},
		{"prefix and upper-case hex", reply, "sha256=" + strings.ToUpper(kaReplySig), kaSecret, nil},
		{"surrounding spaces", reply, "  sha256=" + kaReplySig + " ", kaSecret, nil},
		{"rfc example", kaFox, kaFoxSig, "key", nil},
		{"empty body", "", kaEmptySig, kaSecret, nil},
		{"wrong secret", reply, kaReplySig, kaSecret + "x", ErrBadSignature},
		{"another body", reply + " ", kaReplySig, kaSecret, ErrBadSignature},
		{"re-serialised body", kaInline + "\n", kaInlineSig, kaSecret, ErrBadSignature},
		{"one digit off", reply, kaReplySig[:63] + "5", kaSecret, ErrBadSignature},
		{"truncated", reply, kaReplySig[:62], kaSecret, ErrBadSignature},
		{"odd length", reply, kaReplySig[:63], kaSecret, ErrBadSignature},
		{"too long", reply, kaReplySig + "00", kaSecret, ErrBadSignature},
		{"non-hex", reply, "zz" + kaReplySig[2:], kaSecret, ErrBadSignature},
		{"base64", reply, "fxEu5myb/1sc1l0vrcX1LelL8gQxi39SlT+wskwB+zQ=", kaSecret, ErrBadSignature},
		{"prefix only", reply, "sha256=", kaSecret, ErrBadSignature},
		{"another algorithm", reply, "sha1=" + kaReplySig, kaSecret, ErrBadSignature},
		{"no secret to check with", reply, kaReplySig, "", ErrBadSignature},
		{"signature of the empty secret", reply, Sign([]byte(reply), ""), "", ErrBadSignature},
		{"empty header", reply, "", kaSecret, ErrMissingSignature},
		{"blank header", reply, "   ", kaSecret, ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature([]byte(tt.body), tt.header, tt.secret)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifySignature: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tt.want)
			}
			assertNoLeak(t, err, kaReplySig, kaSecret, tt.header, tt.secret)
		})
	}
}

func TestVerifySecretKey(t *testing.T) {
	tests := []struct {
		name, got, secret string
		want              error
	}{
		{"equal", kaSecret, kaSecret, nil},
		{"different", "wh-secret-00000000", kaSecret, ErrBadSecret},
		{"prefix of the secret", kaSecret[:5], kaSecret, ErrBadSecret},
		{"longer than the secret", kaSecret + "0", kaSecret, ErrBadSecret},
		{"other case", strings.ToUpper(kaSecret), kaSecret, ErrBadSecret},
		{"missing", "", kaSecret, ErrMissingSecret},
		{"no secret to check with", kaSecret, "", ErrBadSecret},
		{"both empty", "", "", ErrMissingSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySecretKey(tt.got, tt.secret)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifySecretKey: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifySecretKey = %v, want %v", err, tt.want)
			}
			assertNoLeak(t, err, kaSecret, tt.got, tt.secret)
		})
	}
}

// TestVerifyFixtureSecretKey runs the body-secret path end to end on the
// fixture that carries one.
func TestVerifyFixtureSecretKey(t *testing.T) {
	got, ok := BodySecret(readFixture(t, "live_email_reply.json"))
	if !ok {
		t.Fatal("BodySecret found no secret_key")
	}
	if err := VerifySecretKey(got, kaSecret); err != nil {
		t.Errorf("VerifySecretKey: %v", err)
	}
	if err := VerifySecretKey(got, "another-secret"); !errors.Is(err, ErrBadSecret) {
		t.Errorf("VerifySecretKey with another secret = %v, want ErrBadSecret", err)
	}
}

// TestVerifyErrorsNeverLeak checks, over every failing case, that no error
// message contains the expected signature (in either case), the secret or
// the value received.
func TestVerifyErrorsNeverLeak(t *testing.T) {
	body := readFixture(t, "live_email_reply.json")
	secret := kaSecret
	headers := []string{
		"", "sha256=", kaReplySig[:40], "sha256=" + kaReplySig[:40], strings.Repeat("ab", 32),
		"sha256=" + strings.Repeat("AB", 32), "not a signature at all, just text", kaReplySig + "ff",
	}
	for _, h := range headers {
		for _, s := range []string{secret, "other-secret-value", ""} {
			err := VerifySignature(body, h, s)
			if err == nil {
				t.Fatalf("VerifySignature(%q) verified", h)
			}
			assertNoLeak(t, err, kaReplySig, Sign(body, s), s, h)
		}
	}
	for _, got := range []string{"", "guess-guess-guess", secret + secret} {
		err := VerifySecretKey(got, secret)
		if err == nil {
			t.Fatalf("VerifySecretKey(%q) verified", got)
		}
		assertNoLeak(t, err, secret, got)
	}
}

// assertNoLeak fails when err's message contains any of the values (of at
// least four characters, so that the check means something), in any case.
func assertNoLeak(t *testing.T, err error, values ...string) {
	t.Helper()
	msg := strings.ToLower(err.Error())
	if !strings.HasPrefix(msg, "smartlead: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.ToLower(v), "sha256=")))
		if len(v) >= 4 && strings.Contains(msg, v) {
			t.Errorf("error %q leaks %q", err, v)
		}
	}
}
