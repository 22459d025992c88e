package simulator

import (
	"slices"

	"github.com/leadbell/leadbell/event"
)

// targets picks the webhooks an event goes to, copied so that delivery
// can run without the lock, by id. As SmartLead documents it, a
// user-level webhook takes priority: when an enabled user-level webhook
// takes events of ev's type, only user-level webhooks get it; else the
// client-level ones of the campaign's client; else the campaign's own.
// (Which webhooks count for priority, enabled ones subscribed to the
// type, is our reading.) A LEAD_CATEGORY_UPDATED event then goes only to
// those of them whose categories hold the lead's new category.
func (s *Server) targets(ev Sample) []*hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	client := s.gen.ClientOf(ev.Campaign.ID)
	var user, byClient, campaign []*hook
	for _, h := range s.hooks {
		if !h.w.Enabled || !subscribed(h.w, ev.Type) {
			continue
		}
		switch {
		case h.w.CampaignID != "":
			if h.w.CampaignID == ev.Campaign.ID {
				campaign = append(campaign, h)
			}
		case h.w.ClientID != "":
			if h.w.ClientID == client {
				byClient = append(byClient, h)
			}
		default:
			user = append(user, h)
		}
	}
	picked := campaign
	if len(byClient) > 0 {
		picked = byClient
	}
	if len(user) > 0 {
		picked = user
	}
	var out []*hook
	for _, h := range picked {
		if isCategoryUpdate(ev.Type) && !slices.Contains(h.w.Categories, ev.Category) {
			continue
		}
		copied := *h
		copied.w = cloneWebhook(h.w)
		out = append(out, &copied)
	}
	slices.SortFunc(out, func(a, b *hook) int { return idCompare(a.w.ID, b.w.ID) })
	return out
}

func isCategoryUpdate(t event.Type) bool {
	return t == event.CategoryUpdated || t == event.Other
}
