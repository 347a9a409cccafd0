package docs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

func TestSearchScopes(t *testing.T) {
	f := newFixture(t)
	free := f.customer("free", account.PlanFree)
	ent := f.customer("ent", account.PlanLegacyEnterprise)
	agent := f.staff("agent", helpline.RoleAgent)
	help := []search.Kind{search.KindDoc, search.KindKB, search.KindChangelog, search.KindBlog}
	public := []search.Audience{search.AudiencePublic}
	customers := []search.Audience{search.AudiencePublic, search.AudienceCustomers}
	enterprise := []search.Audience{search.AudiencePublic, search.AudienceCustomers, search.AudienceEnterprise}
	staff := []search.Audience{search.AudiencePublic, search.AudienceCustomers, search.AudienceEnterprise, search.AudienceStaff}
	for _, c := range []struct {
		name      string
		actor     *helpline.Actor
		scope     docs.Scope
		kinds     []search.Kind
		audiences []search.Audience
	}{
		{"anonymous default", nil, "", help, public},
		{"anonymous help", nil, docs.ScopeHelp, help, public},
		{"anonymous all", nil, docs.ScopeAll, help, public},
		{"docs", nil, docs.ScopeDocs, []search.Kind{search.KindDoc}, public},
		{"kb", free, docs.ScopeKB, []search.Kind{search.KindKB}, customers},
		{"changelog", ent, docs.ScopeChangelog, []search.Kind{search.KindChangelog, search.KindBlog}, enterprise},
		{"customer all", ent, docs.ScopeAll, help, enterprise},
		{"staff tickets", agent, docs.ScopeTickets, []search.Kind{search.KindTicket}, staff},
		{"staff all", agent, docs.ScopeAll, nil, staff},
		{"staff help", agent, " help ", help, staff},
	} {
		if _, err := f.svc.Search(f.ctx, c.actor, docs.SearchQuery{Text: "  h12 timeout ", Scope: c.scope}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		q := f.index.lastQuery()
		if q.Text != "h12 timeout" || !slices.Equal(q.Kinds, c.kinds) || !slices.Equal(q.Audiences, c.audiences) || q.Limit != 10 {
			t.Errorf("%s: query %+v, want kinds %v audiences %v", c.name, q, c.kinds, c.audiences)
		}
	}
	if _, err := f.svc.Search(f.ctx, nil, docs.SearchQuery{Text: "x", Page: helpline.Page{Limit: 500, Offset: 20}}); err != nil {
		t.Fatal(err)
	}
	if q := f.index.lastQuery(); q.Limit != 50 || q.Offset != 20 {
		t.Errorf("page: %+v", q)
	}

	for _, c := range []struct {
		name  string
		actor *helpline.Actor
		q     docs.SearchQuery
		field string
		want  string
	}{
		{"empty", nil, docs.SearchQuery{}, "q", "is empty"},
		{"blank", free, docs.SearchQuery{Text: " \t "}, "q", "is empty"},
		{"long", nil, docs.SearchQuery{Text: strings.Repeat("a", 501)}, "q", "at most 500"},
		{"customer tickets", ent, docs.SearchQuery{Text: "x", Scope: docs.ScopeTickets}, "scope", "staff only"},
		{"anonymous tickets", nil, docs.SearchQuery{Text: "x", Scope: docs.ScopeTickets}, "scope", "staff only"},
		{"unknown scope", agent, docs.SearchQuery{Text: "x", Scope: "everything"}, "scope", "must be one of help, docs, kb, changelog, tickets, all"},
	} {
		_, err := f.svc.Search(f.ctx, c.actor, c.q)
		if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s: %q, want %q", c.name, c.field, msg, c.want)
		}
	}
}

// TestSearchFindsContent checks results from the real index: audiences,
// drafts, posts, and an error code's entry first.
func TestSearchFindsContent(t *testing.T) {
	f := newFixture(t)
	code := article("H12 - Request timeout")
	code.Section, code.ErrorCode = docs.SectionErrorCodes, "H12"
	code.Body = "The router gave up waiting for your app after 30 seconds."
	h12 := f.create(f.admin, code)
	kb := article("Why do my requests time out?")
	kb.Section, kb.Body = docs.SectionKnowledgeBase, "Long requests time out at the router: see H12."
	kbA := f.create(f.admin, kb)
	ent := article("Timeout budgets for enterprise launches")
	ent.Audience = search.AudienceEnterprise
	entA := f.create(f.admin, ent)
	published := t0.Add(-time.Hour)
	post := f.post(docs.PostChangelog, docs.PostInput{Title: "Router timeout logging", Body: "The router logs timeouts in more detail.",
		Category: "improvement", Status: docs.StatusPublished, PublishedAt: &published})
	if !searchWorks(t, f) {
		t.Skip("the search index is not implemented yet")
	}
	ids := func(actor *helpline.Actor, q docs.SearchQuery) []int64 {
		t.Helper()
		res, err := f.svc.Search(f.ctx, actor, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range res {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(nil, docs.SearchQuery{Text: "h12"}); len(got) == 0 || got[0] != h12.ID {
		t.Errorf("h12: %v, want %d first", got, h12.ID)
	}
	if got := ids(nil, docs.SearchQuery{Text: "requests", Scope: docs.ScopeKB}); !slices.Equal(got, []int64{kbA.ID}) {
		t.Errorf("kb scope: %v", got)
	}
	if got := ids(nil, docs.SearchQuery{Text: "timeout", Scope: docs.ScopeChangelog}); !slices.Equal(got, []int64{post.ID}) {
		t.Errorf("changelog scope: %v", got)
	}
	if got := ids(f.customer("free", account.PlanFree), docs.SearchQuery{Text: "enterprise launches"}); slices.Contains(got, entA.ID) {
		t.Error("a free customer finds the enterprise article")
	}
	if got := ids(f.customer("ent", account.PlanEnterprise), docs.SearchQuery{Text: "enterprise launches"}); !slices.Contains(got, entA.ID) {
		t.Error("an enterprise customer does not find the enterprise article")
	}
	// Unpublishing hides an article from readers' searches at once.
	code.Status = docs.StatusDraft
	if _, err := f.svc.UpdateArticle(f.ctx, f.admin, h12.Slug, code); err != nil {
		t.Fatal(err)
	}
	if got := ids(nil, docs.SearchQuery{Text: "h12"}); slices.Contains(got, h12.ID) {
		t.Error("a draft is found by the public")
	}
	if got := ids(f.admin, docs.SearchQuery{Text: "h12"}); !slices.Contains(got, h12.ID) {
		t.Error("staff do not find the draft")
	}
}
