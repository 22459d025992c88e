package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/settings"
	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/app/webhook"
	"github.com/leadbell/leadbell/event"
	"github.com/leadbell/leadbell/store"
)

// Errors a Control returns that the API answers specially.
var (
	// ErrSignedOut: the call needs a SmartLead key and none is set (409).
	ErrSignedOut = errors.New("not signed in to SmartLead")
	// ErrInvalid: the request asks for something impossible (400).
	ErrInvalid = errors.New("invalid request")
)

// Control is what the API asks of the engine beyond the store.
type Control interface {
	Settings() Settings
	UpdateSettings(ctx context.Context, u settings.Update) (Settings, error)
	SignIn(ctx context.Context, apiKey string) error
	SignOut(ctx context.Context) error
	Campaigns(ctx context.Context) ([]smartlead.Campaign, error)
	Replay(ctx context.Context, id string) (event.Event, bool, error)
	// RecentDeliveries is this run's answers, newest first (the rest of
	// the inspector's list comes from the store).
	RecentDeliveries(limit int) []webhook.Delivery
	// Answers counts what the webhook answered since Leadbell started.
	Answers() Answers
}

// Settings is the answer of GET /api/settings: the user's settings and
// where their secrets stand (never the secrets).
type Settings struct {
	settings.Settings
	SignedIn   bool   `json:"signed_in"`
	APIKeyHint string `json:"api_key_hint"`
	// APIKeySource is "environment" (from --api-key or SMARTLEAD_API_KEY,
	// not stored by Leadbell), "stored" (kept after a sign-in) or "".
	APIKeySource  string `json:"api_key_source"`
	SecretStorage string `json:"secret_storage"`
	NgrokTokenSet bool   `json:"ngrok_token_set"`
	// PublicURLSource is "flag" when --public-url (or LEADBELL_PUBLIC_URL)
	// sets the public address for this run, overriding the setting.
	PublicURLSource string `json:"public_url_source,omitempty"`
	// TunnelSource is "flag" when --tunnel chose how Leadbell is reached
	// for this run (so a saved ngrok token is not used with --tunnel none).
	TunnelSource string `json:"tunnel_source,omitempty"`
	// OtherWebhooks are the webhooks of other tools found on the campaigns
	// Leadbell registers at (never one of Leadbell's own).
	OtherWebhooks []OtherWebhook `json:"other_webhooks"`
}

// OtherWebhook is another tool's webhook on the account: a user-level one
// takes priority over Leadbell's campaign webhooks at SmartLead.
type OtherWebhook struct {
	Name         string `json:"name"`
	Level        string `json:"level"` // account, client or campaign
	CampaignID   string `json:"campaign_id,omitempty"`
	CampaignName string `json:"campaign_name,omitempty"`
	Host         string `json:"host"` // where it sends to: the host of its URL only
}

// Delivery is one row of GET /api/deliveries.
type Delivery struct {
	webhook.Delivery
	VerifiedBy string `json:"verified_by,omitempty"`
	Type       string `json:"type,omitempty"`
	SourceType string `json:"source_type,omitempty"`
}

// Stats is the answer of GET /api/stats.
type Stats struct {
	Range     string          `json:"range"`
	Buckets   []store.Bucket  `json:"buckets"`
	Campaigns []CampaignStats `json:"campaigns"`
}

// CampaignStats is one campaign's counts and reply rate (replies / sends).
type CampaignStats struct {
	ID        string             `json:"id"`
	Name      string             `json:"name"`
	Counts    map[event.Type]int `json:"counts"`
	ReplyRate float64            `json:"reply_rate"`
}

func (s *Server) routeControl() {
	s.mux.HandleFunc("GET /api/settings", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.cfg.Control.Settings())
	})
	s.mux.HandleFunc("PUT /api/settings", s.putSettings)
	s.mux.HandleFunc("POST /api/signin", s.signIn)
	s.mux.HandleFunc("POST /api/signout", func(w http.ResponseWriter, r *http.Request) {
		if err := s.cfg.Control.SignOut(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"signed_in": false})
	})
	s.mux.HandleFunc("GET /api/campaigns", s.campaigns)
	s.mux.HandleFunc("GET /api/deliveries", s.deliveries)
	s.mux.HandleFunc("POST /api/events/{id}/replay", s.replay)
	s.mux.HandleFunc("GET /api/stats", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.overview(r.URL.Query().Get("range"), time.Now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	})
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) {
	var u settings.Update
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&u); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid", "body must be a JSON object of settings")
		return
	}
	st, err := s.cfg.Control.UpdateSettings(r.Context(), u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	var body struct {
		APIKey string `json:"api_key"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid", `body must be {"api_key": "..."}`)
		return
	}
	err := s.cfg.Control.SignIn(r.Context(), body.APIKey)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]bool{"signed_in": true})
	case errors.Is(err, smartlead.ErrUnauthorized):
		WriteError(w, http.StatusUnauthorized, "invalid_key", "SmartLead does not accept this API key. Copy it again from SmartLead under Settings → API Key.")
	case errors.Is(err, smartlead.ErrNoAPIAccess):
		WriteError(w, http.StatusForbidden, "no_api_access", "This SmartLead plan has no API access. Webhooks need a plan that includes the API.")
	case errors.Is(err, smartlead.ErrUnreachable), errors.Is(err, smartlead.ErrRateLimited):
		WriteError(w, http.StatusBadGateway, "unreachable", "Leadbell cannot reach SmartLead right now. Check the network and try again.")
	default:
		s.cfg.Logger.Warn("sign-in failed", "error", err)
		WriteError(w, http.StatusBadGateway, "unreachable", "SmartLead did not answer as expected. Try again in a moment.")
	}
}

func (s *Server) campaigns(w http.ResponseWriter, r *http.Request) {
	cs, err := s.cfg.Control.Campaigns(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]map[string]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, map[string]string{"id": c.ID, "name": c.Name, "status": c.Status})
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
}

func (s *Server) deliveries(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			WriteError(w, http.StatusBadRequest, "invalid", "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	ds, err := s.deliveryList(limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds, "answers": s.cfg.Control.Answers()})
}

func (s *Server) replay(w http.ResponseWriter, r *http.Request) {
	ev, dup, err := s.cfg.Control.Replay(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := "received"
	if dup {
		status = "duplicate"
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status, "id": ev.ID})
}

// Answers counts what the webhook answered since Leadbell started: every
// delivery, not only the latest ones the inspector lists.
type Answers struct {
	// ByStatus counts deliveries by the HTTP status they got ("200",
	// "401", ...), those refused by the hook listener's limits (408, 413,
	// 503) included; self-tests are not counted.
	ByStatus map[string]uint64 `json:"by_status"`
	// ConnectionsCut counts connections closed before a whole request
	// came, to make room at the connection cap.
	ConnectionsCut uint64 `json:"connections_cut"`
}
