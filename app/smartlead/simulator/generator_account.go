package simulator

import (
	"slices"
	"strconv"
	"time"

	"github.com/leadbell/leadbell/app/smartlead"
)

// campaignRecord is a campaign with what GET /campaigns shows beyond
// smartlead.Campaign.
type campaignRecord struct {
	smartlead.Campaign
	clientID string // "" when the campaign belongs to no client
	created  time.Time
}

// newCampaignLeads is how many leads a campaign added later starts with.
const newCampaignLeads = 4

// Campaigns returns the account's campaigns, oldest first.
func (g *Generator) Campaigns() []smartlead.Campaign {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]smartlead.Campaign, 0, len(g.campaigns))
	for _, c := range g.campaigns {
		out = append(out, c.Campaign)
	}
	return out
}

// records returns the campaigns with their clients and creation times.
func (g *Generator) records() []campaignRecord {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.campaigns)
}

// campaign finds a campaign; g.mu must be held.
func (g *Generator) campaign(id string) smartlead.Campaign {
	if i := g.campaignIndex(id); i >= 0 {
		return g.campaigns[i].Campaign
	}
	return smartlead.Campaign{}
}

func (g *Generator) campaignIndex(id string) int {
	return slices.IndexFunc(g.campaigns, func(c campaignRecord) bool { return c.ID == id })
}

// hasCampaign reports whether the account has campaign id.
func (g *Generator) hasCampaign(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.campaignIndex(id) >= 0
}

// clientOf is the client campaign id belongs to, ""; g.mu must be held.
func (g *Generator) clientOf(id string) string {
	if i := g.campaignIndex(id); i >= 0 {
		return g.campaigns[i].clientID
	}
	return ""
}

// ClientOf returns the id of the client campaign id belongs to, or "".
func (g *Generator) ClientOf(id string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.clientOf(id)
}

// AddCampaign adds a campaign created now, with a few leads of its own so
// that events can happen in it, and returns it with its new id.
func (g *Generator) AddCampaign(name, status string) smartlead.Campaign {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := campaignRecord{Campaign: smartlead.Campaign{ID: strconv.Itoa(g.nextCampaign), Name: name, Status: status},
		created: g.Now().UTC()}
	g.nextCampaign += 137
	g.campaigns = append(g.campaigns, c)
	for range newCampaignLeads {
		p := people[g.rng.IntN(len(people))]
		co := companies[g.rng.IntN(len(companies))]
		g.leads = append(g.leads, g.newLead(g.nextLead+g.rng.IntN(30), p, co, c.ID))
		g.nextLead += 31
	}
	return c.Campaign
}

// SetCampaignStatus changes a campaign's status (ACTIVE, PAUSED, ARCHIVED,
// ...); it reports false when there is no such campaign.
func (g *Generator) SetCampaignStatus(id, status string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := g.campaignIndex(id)
	if i >= 0 {
		g.campaigns[i].Status = status
	}
	return i >= 0
}

// RemoveCampaign deletes a campaign and its leads; it reports false when
// there is no such campaign.
func (g *Generator) RemoveCampaign(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := g.campaignIndex(id)
	if i < 0 {
		return false
	}
	g.campaigns = slices.Delete(g.campaigns, i, i+1)
	g.leads = slices.DeleteFunc(g.leads, func(l Lead) bool { return l.CampaignID == id })
	return true
}

// AddClient adds a client (an agency's customer, which campaigns can
// belong to) and returns its id.
func (g *Generator) AddClient(name string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	id := strconv.Itoa(g.nextClient)
	g.nextClient++
	g.clients[id] = name
	return id
}

// hasClient reports whether the account has client id.
func (g *Generator) hasClient(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.clients[id]
	return ok
}

// SetCampaignClient makes campaign campaignID belong to client clientID
// ("" for none); it reports false when either is unknown.
func (g *Generator) SetCampaignClient(campaignID, clientID string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := g.campaignIndex(campaignID)
	if _, ok := g.clients[clientID]; i < 0 || !ok && clientID != "" {
		return false
	}
	g.campaigns[i].clientID = clientID
	return true
}

// Categories returns the account's lead categories.
func (g *Generator) Categories() []Category {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.categories)
}

// SetCategories replaces the account's lead categories; category updates
// are made from them from now on.
func (g *Generator) SetCategories(cs []Category) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.categories = slices.Clone(cs)
}
