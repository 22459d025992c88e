package smartlead

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// SignatureHeader is the header that carries a delivery's signature: the
// hex HMAC-SHA256 of the raw body, optionally prefixed "sha256=". It is
// Leadbell's reading of one SmartLead help-center page; the spec names no
// header, and no capture of a real delivery shows one
// (docs/smartlead-api.md). Leadbell signs its own samples with it.
const SignatureHeader = "X-Smartlead-Signature"

// SignatureHeaders are the headers a signature is looked for in, in this
// order: SignatureHeader and the names webhook senders commonly use, since
// the evidence does not settle which one SmartLead uses, if any.
var SignatureHeaders = []string{SignatureHeader, "X-Signature", "X-Webhook-Signature", "X-Hub-Signature-256"}

// Errors of the signature and secret checks. Check them with errors.Is.
// They, and the errors wrapping them, never contain the secret, the
// expected signature or the value received.
var (
	// ErrMissingSignature means the delivery has no signature.
	ErrMissingSignature = errors.New("smartlead: missing signature")
	// ErrBadSignature means the signature is malformed or does not match.
	ErrBadSignature = errors.New("smartlead: bad signature")
	// ErrMissingSecret means the delivery carries no secret_key.
	ErrMissingSecret = errors.New("smartlead: missing secret key")
	// ErrBadSecret means the delivery's secret_key is not the secret.
	ErrBadSecret = errors.New("smartlead: bad secret key")
)

// signaturePrefix may precede the hex digest, in any case.
const signaturePrefix = "sha256="

// Sign returns the signature of body under secret: the lower-case hex
// HMAC-SHA256 of the bytes exactly as sent.
func Sign(body []byte, secret string) string {
	return hex.EncodeToString(mac(body, secret))
}

// VerifySignature checks header, the value of SignatureHeader, against the
// raw body: a hex HMAC-SHA256 (either case) with or without a "sha256="
// prefix. The comparison is constant-time. An empty secret verifies
// nothing: it fails with ErrBadSignature.
func VerifySignature(body []byte, header, secret string) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrMissingSignature
	}
	if len(header) >= len(signaturePrefix) && strings.EqualFold(header[:len(signaturePrefix)], signaturePrefix) {
		header = strings.TrimSpace(header[len(signaturePrefix):])
	}
	got, err := hex.DecodeString(header)
	switch {
	case secret == "":
		return fmt.Errorf("%w: no secret to check it with", ErrBadSignature)
	case err != nil:
		return fmt.Errorf("%w: not hex", ErrBadSignature)
	case len(got) != sha256.Size:
		return fmt.Errorf("%w: wrong length", ErrBadSignature)
	case !hmac.Equal(got, mac(body, secret)):
		return ErrBadSignature
	}
	return nil
}

// VerifySecretKey checks a delivery's secret_key field (see BodySecret)
// against the secret in constant time; comparing digests keeps the time
// independent of the lengths too. An empty secret verifies nothing.
func VerifySecretKey(got, secret string) error {
	switch {
	case got == "":
		return ErrMissingSecret
	case secret == "":
		return fmt.Errorf("%w: no secret to check it with", ErrBadSecret)
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(secret))
	if !hmac.Equal(a[:], b[:]) {
		return ErrBadSecret
	}
	return nil
}

func mac(body []byte, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}
