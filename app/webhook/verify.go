package webhook

import (
	"errors"
	"net/http"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// Mismatch describes a delivery whose secret does not match the webhook
// secret: Via is the header the signature came in, or "secret_key" for the
// body field. It never holds the secret or the value received.
type Mismatch struct {
	Via string
}

// check is what verify found out about a delivery.
type check struct {
	by       string    // Event.VerifiedBy
	header   string    // the header a signature came in, if any
	mismatch *Mismatch // set when a signature or secret_key is wrong
}

// verify applies the layered checks of smartlead-api.md on a delivery
// whose path token is right: with a secret, a signature in the first of
// smartlead.SignatureHeaders present, else the body's secret_key; a match
// upgrades VerifiedBy, a mismatch is reported, nothing there leaves the
// path token as the proof.
func verify(req *http.Request, body []byte, secret string) check {
	c := check{by: event.VerifiedByURLToken}
	sig := ""
	for _, h := range smartlead.SignatureHeaders {
		if v := req.Header.Get(h); v != "" {
			c.header, sig = h, v
			break
		}
	}
	if secret == "" {
		return c
	}
	if sig != "" {
		if smartlead.VerifySignature(body, sig, secret) != nil {
			c.mismatch = &Mismatch{Via: c.header}
			return c
		}
		c.by = event.VerifiedBySignature
		return c
	}
	got, _ := smartlead.BodySecret(body)
	switch err := smartlead.VerifySecretKey(got, secret); {
	case err == nil:
		c.by = event.VerifiedBySecretKey
	case !errors.Is(err, smartlead.ErrMissingSecret):
		c.mismatch = &Mismatch{Via: "secret_key"}
	}
	return c
}
