package smartlead

import (
	"slices"
	"strings"
	"testing"
)

// verifyMessages are every message the checks may return: fixed text, so
// no input can leak through them.
var verifyMessages = []string{
	ErrMissingSignature.Error(),
	ErrBadSignature.Error(),
	ErrBadSignature.Error() + ": not hex",
	ErrBadSignature.Error() + ": wrong length",
	ErrBadSignature.Error() + ": no secret to check it with",
	ErrMissingSecret.Error(),
	ErrBadSecret.Error(),
	ErrBadSecret.Error() + ": no secret to check it with",
}

// FuzzVerifySignature checks that signing and verifying agree for any
// body and secret, that a header verifies only when it encodes the right
// digest, and that every error message is one of the fixed ones.
func FuzzVerifySignature(f *testing.F) {
	for _, b := range addFixtureSeeds(f) {
		f.Add(b, Sign(b, kaSecret), kaSecret)
		f.Add(b, "sha256="+strings.ToUpper(Sign(b, kaSecret)), kaSecret)
		f.Add(b, Sign(b, kaSecret)[:40], kaSecret)
	}
	f.Add([]byte(kaFox), kaFoxSig, "key")
	f.Add([]byte(kaFox), "SHA256= "+kaFoxSig, "key")
	f.Add([]byte(""), "", "")
	f.Add([]byte("x"), "sha256=zz", "s")
	f.Fuzz(func(t *testing.T, body []byte, header, secret string) {
		want := Sign(body, secret)
		err := VerifySignature(body, header, secret)
		if err == nil {
			h := strings.ToLower(strings.TrimSpace(header))
			h = strings.TrimSpace(strings.TrimPrefix(h, "sha256="))
			if secret == "" || h != want {
				t.Fatalf("header %q verified, want %q", header, want)
			}
		} else if !slices.Contains(verifyMessages, err.Error()) {
			t.Fatalf("unexpected message %q", err)
		}
		if secret != "" {
			for _, h := range []string{want, "sha256=" + want, "SHA256=" + strings.ToUpper(want)} {
				if err := VerifySignature(body, h, secret); err != nil {
					t.Fatalf("own signature %q rejected: %v", h, err)
				}
			}
		}
		err = VerifySecretKey(header, secret)
		if (err == nil) != (header != "" && header == secret) {
			t.Fatalf("VerifySecretKey(%q, %q) = %v", header, secret, err)
		}
		if err != nil && !slices.Contains(verifyMessages, err.Error()) {
			t.Fatalf("unexpected message %q", err)
		}
	})
}
