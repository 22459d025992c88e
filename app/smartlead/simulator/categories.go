package simulator

import (
	"net/http"
	"slices"
)

// Category is one of an account's lead categories, as
// GET /leads/fetch-categories lists it. Webhooks name the categories they
// want; a LEAD_CATEGORY_UPDATED event reaches a webhook only when the new
// category is one of them.
type Category struct {
	ID        int
	Name      string
	Sentiment string // "positive", "negative" or "neutral"
}

// DefaultCategories are the categories SmartLead gives every account.
func DefaultCategories() []Category {
	return []Category{
		{1, "Interested", "positive"},
		{2, "Meeting Request", "positive"},
		{3, "Not Interested", "negative"},
		{4, "Do Not Contact", "negative"},
		{5, "Information Request", "neutral"},
		{6, "Out Of Office", "neutral"},
		{7, "Wrong Person", "neutral"},
	}
}

// Categories returns the account's lead categories.
func (s *Server) Categories() []Category { return s.gen.Categories() }

// SetCategories replaces the account's lead categories (an account's own
// list instead of the defaults). Webhooks keep the names they were saved
// with.
func (s *Server) SetCategories(cs []Category) { s.gen.SetCategories(cs) }

// FailCategories makes GET /leads/fetch-categories answer status from now
// on (404 as a missing route does), so a client's fallback can be tested;
// 0 makes it answer again.
func (s *Server) FailCategories(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCategories = status
}

// categoryNamed finds a category of the account by its exact name.
func (s *Server) categoryNamed(name string) (Category, bool) {
	cs := s.gen.Categories()
	i := slices.IndexFunc(cs, func(c Category) bool { return c.Name == name })
	if i < 0 {
		return Category{}, false
	}
	return cs[i], true
}

func (s *Server) fetchCategories(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status := s.failCategories
	s.mu.Unlock()
	switch {
	case status == http.StatusNotFound:
		s.routeMissing(w, r)
		return
	case status != 0:
		fail(w, status, http.StatusText(status))
		return
	}
	out := []map[string]any{}
	for _, c := range s.gen.Categories() {
		out = append(out, map[string]any{"id": c.ID, "name": c.Name, "sentiment_type": c.Sentiment})
	}
	writeJSON(w, http.StatusOK, out)
}
