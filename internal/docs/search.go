package docs

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/search"
)

// MaxQuery bounds a search's text.
const MaxQuery = 500

// Scopes lists the scopes a search may name.
var Scopes = []Scope{ScopeHelp, ScopeDocs, ScopeKB, ScopeChangelog, ScopeTickets, ScopeAll}

// audiences returns who the actor is to the content rules: anyone sees
// public content, signed-in users customers' content, members of
// enterprise organizations enterprise content, and staff everything,
// unpublished content (AudienceStaff) included.
func (s *Service) audiences(ctx context.Context, actor *helpline.Actor) ([]Audience, error) {
	switch {
	case actor == nil:
		return []Audience{search.AudiencePublic}, nil
	case actor.IsStaff():
		return []Audience{search.AudiencePublic, search.AudienceCustomers, search.AudienceEnterprise, search.AudienceStaff}, nil
	case actor.UserID == 0:
		// An actor without a user (none exist today) gets the public's view.
		return []Audience{search.AudiencePublic}, nil
	}
	aud := []Audience{search.AudiencePublic, search.AudienceCustomers}
	ms, err := s.accounts.FindMemberships(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Org.Plan.IsEnterprise() {
			return append(aud, search.AudienceEnterprise), nil
		}
	}
	return aud, nil
}

// scopeKinds maps a scope to the kinds it searches (nil is every kind), or
// says what is wrong with it.
func scopeKinds(actor *helpline.Actor, scope Scope) ([]search.Kind, string) {
	help := []search.Kind{search.KindDoc, search.KindKB, search.KindChangelog, search.KindBlog}
	switch scope {
	case "", ScopeHelp:
		return help, ""
	case ScopeDocs:
		return []search.Kind{search.KindDoc}, ""
	case ScopeKB:
		return []search.Kind{search.KindKB}, ""
	case ScopeChangelog:
		return []search.Kind{search.KindChangelog, search.KindBlog}, ""
	case ScopeTickets:
		if !actor.IsStaff() {
			return nil, "tickets are searched by staff only: use help, docs, kb or changelog"
		}
		return []search.Kind{search.KindTicket}, ""
	case ScopeAll:
		if actor.IsStaff() {
			return nil, ""
		}
		return help, ""
	}
	return nil, "must be one of " + joinValues(Scopes)
}

// Search finds what the actor may see, best first.
func (s *Service) Search(ctx context.Context, actor *helpline.Actor, q SearchQuery) ([]search.Result, error) {
	text := strings.TrimSpace(q.Text)
	v := helpline.Validation{}
	v.Check(text != "", "q", "is empty: type a few words or an error code such as H12")
	v.Check(utf8.RuneCountInString(text) <= MaxQuery, "q", "must be at most 500 characters")
	kinds, bad := scopeKinds(actor, Scope(strings.TrimSpace(string(q.Scope))))
	v.Check(bad == "", "scope", bad)
	if err := v.Err(); err != nil {
		return nil, err
	}
	aud, err := s.audiences(ctx, actor)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 50)
	return s.index.Search(ctx, search.Query{Text: text, Kinds: kinds, Audiences: aud, Limit: limit, Offset: max(q.Offset, 0)})
}
