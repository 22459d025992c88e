package simulator

import (
	"slices"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
	"github.com/leadbell/leadbell/event"
)

// What changes in an account behind the client's back: campaigns come and
// go, another tool registers its own webhooks, SmartLead disables one.

// Campaigns returns the account's campaigns.
func (s *Server) Campaigns() []smartlead.Campaign { return s.gen.Campaigns() }

// AddCampaign creates a campaign, as the user does in SmartLead's
// dashboard during a run: it shows in GET /campaigns at once, has leads
// of its own, and Run makes events for it. No webhook covers it until
// one is registered for it (or one at user or client level exists).
func (s *Server) AddCampaign(name, status string) smartlead.Campaign {
	return s.gen.AddCampaign(name, status)
}

// SetCampaignStatus changes a campaign's status (e.g. ARCHIVED). Its
// webhooks stay and keep accepting saves.
func (s *Server) SetCampaignStatus(id, status string) { s.gen.SetCampaignStatus(id, status) }

// RemoveCampaign deletes a campaign with its leads and webhooks; its
// routes then answer 404 Campaign not found.
func (s *Server) RemoveCampaign(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.gen.RemoveCampaign(id) {
		return
	}
	for hid, h := range s.hooks {
		if h.w.CampaignID == id {
			delete(s.hooks, hid)
		}
	}
}

// AddClient adds a client (an agency's customer) and returns its id, for
// client-level webhooks.
func (s *Server) AddClient(name string) string { return s.gen.AddClient(name) }

// SetCampaignClient makes a campaign belong to a client ("" for none): its
// client_id in GET /campaigns and in payloads, and the client whose
// client-level webhooks get its events.
func (s *Server) SetCampaignClient(campaignID, clientID string) {
	s.gen.SetCampaignClient(campaignID, clientID)
}

// AddWebhook plants a webhook as if another integration had made it: at
// campaign level when w.CampaignID is set, client level when w.ClientID
// is, else user level. It gets a new id and is enabled; no EventTypes
// means Leadbell's full list, no Categories the account's every category.
// No test event is sent. It returns the webhook as stored.
func (s *Server) AddWebhook(w smartlead.Webhook) smartlead.Webhook {
	if len(w.EventTypes) == 0 {
		w.EventTypes = slices.Clone(event.Types)
	}
	if len(w.Categories) == 0 {
		for _, c := range s.gen.Categories() {
			w.Categories = append(w.Categories, c.Name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.newHook(smartlead.Webhook{CampaignID: w.CampaignID, ClientID: w.ClientID})
	s.save(h, hookForm{name: w.Name, url: w.URL, types: sortTypes(slices.Clone(w.EventTypes)), categories: slices.Clone(w.Categories)})
	return cloneWebhook(h.w)
}

// newHook registers a new webhook at w's level; s.mu must be held.
func (s *Server) newHook(w smartlead.Webhook) *hook {
	w.ID = strconv.Itoa(s.nextHook)
	s.nextHook++
	h := &hook{w: w, created: time.Now()}
	s.hooks[w.ID] = h
	return h
}

// save applies a saved form to h: saving enables the webhook again and
// forgets its failures. s.mu must be held.
func (s *Server) save(h *hook, f hookForm) {
	h.w.Name, h.w.URL, h.w.EventTypes, h.w.Categories = f.name, f.url, f.types, f.categories
	h.w.Enabled, h.failures, h.updated = true, 0, time.Now()
}

func cloneWebhook(w smartlead.Webhook) smartlead.Webhook {
	w.EventTypes, w.Categories = slices.Clone(w.EventTypes), slices.Clone(w.Categories)
	return w
}

// Webhooks returns every webhook of the account, Leadbell's, other
// tools' and disabled ones, by id.
func (s *Server) Webhooks() []smartlead.Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]smartlead.Webhook, 0, len(s.hooks))
	for _, h := range s.hooks {
		out = append(out, cloneWebhook(h.w))
	}
	slices.SortFunc(out, func(a, b smartlead.Webhook) int { return idCompare(a.ID, b.ID) })
	return out
}

func idCompare(a, b string) int {
	na, _ := strconv.Atoi(a)
	nb, _ := strconv.Atoi(b)
	return na - nb
}

// DisableWebhook disables a webhook as SmartLead does after failures,
// behind the client's back. Nothing in the API shows it; saving the
// webhook again enables it.
func (s *Server) DisableWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hooks[id]; h != nil {
		h.w.Enabled = false
	}
}

// RemoveWebhook deletes a webhook behind the client's back.
func (s *Server) RemoveWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hooks, id)
}
