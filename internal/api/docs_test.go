package api_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// docsWorld is an instance with a reader of every audience.
type docsWorld struct {
	env                 *apptest.Env
	anon, standard, ent *client.Client
	agent, admin        *client.Client
}

func newDocsWorld(t *testing.T, opts apptest.Options) *docsWorld {
	t.Helper()
	env := apptest.New(t, opts)
	std := env.Org(t, "Small Shop", account.PlanStandard)
	ent := env.Org(t, "Big Corp", account.PlanEnterprise)
	return &docsWorld{
		env:      env,
		anon:     client.New(env.URL, ""),
		standard: env.Client(t, env.Customer(t, "dev@small.test", std, account.OrgOwner)),
		ent:      env.Client(t, env.Customer(t, "dev@big.test", ent, account.OrgMember)),
		agent:    env.Client(t, env.Staff(t, "agent@helpline.test", helpline.RoleAgent)),
		admin:    env.Client(t, env.Staff(t, "admin@helpline.test", helpline.RoleAdmin)),
	}
}

// mustCreateArticle creates an article, published unless in says
// otherwise (the API's default is a draft).
func mustCreateArticle(t *testing.T, c *client.Client, in client.ArticleInput) client.Article {
	t.Helper()
	if in.Status == "" {
		in.Status = "published"
	}
	a, err := c.CreateArticle(context.Background(), in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	return a
}

func urlsOf(rs []client.SearchResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.URL)
	}
	return out
}

func TestArticleCRUDAndRevisions(t *testing.T) {
	ctx := context.Background()
	w := newDocsWorld(t, apptest.Options{})

	in := client.ArticleInput{Title: "Rotating database credentials", Summary: "Rotate without downtime.", Section: "knowledge-base", Status: "published",
		Tags: []string{"credential-rotation", "credentials"}, Body: "# Rotating\n\nAttach a second credential.\nPromote it.\nDetach the old one.\n"}
	_, err := w.standard.CreateArticle(ctx, in)
	apiErr(t, err, 403, "forbidden")
	_, err = w.anon.CreateArticle(ctx, in)
	apiErr(t, err, 401, "unauthorized")

	a := mustCreateArticle(t, w.agent, in)
	if a.Slug != "rotating-database-credentials" || a.Revision != 1 || a.URL != "/docs/rotating-database-credentials" ||
		a.Audience != "public" || a.Status != "published" || a.AuthorName != "agent" || !slices.Equal(a.Tags, []string{"credential-rotation", "credentials"}) {
		t.Fatalf("created = %+v", a)
	}
	got, err := w.anon.GetArticle(ctx, a.Slug)
	if err != nil || got.Body != in.Body || got.Title != in.Title {
		t.Fatalf("anonymous get = %+v, %v", got, err)
	}
	// The same slug again is refused, naming the field.
	_, err = w.agent.CreateArticle(ctx, client.ArticleInput{Slug: a.Slug, Title: "Other", Section: "knowledge-base", Body: "x"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["slug"] == "" {
		t.Fatalf("duplicate slug: %+v", e)
	}

	// PUT: the same content is unchanged, an edit is a new revision, a new
	// slug is created.
	same := in
	same.BaseRevision = 1
	got, res, err := w.agent.PutArticle(ctx, a.Slug, same)
	if err != nil || res != client.PutUnchanged || got.Revision != 1 {
		t.Fatalf("put same = %s rev %d, %v", res, got.Revision, err)
	}
	edited := in
	edited.Body = strings.Replace(in.Body, "Promote it.", "Promote it with `pg:promote`.", 1)
	edited.Note = "mention pg:promote"
	edited.BaseRevision = 1
	got, res, err = w.agent.PutArticle(ctx, a.Slug, edited)
	if err != nil || res != client.PutUpdated || got.Revision != 2 || got.Body != edited.Body {
		t.Fatalf("put edit = %s %+v, %v", res, got, err)
	}
	// An editor who started from revision 1 does not overwrite revision 2.
	stale := in
	stale.Body = "Someone else's edit."
	stale.BaseRevision = 1
	_, _, err = w.agent.PutArticle(ctx, a.Slug, stale)
	apiErr(t, err, 409, "conflict")
	// Without a status, a new article is a draft.
	fresh := client.ArticleInput{Title: "Scaling workers", Section: "knowledge-base", Body: "Add dynos."}
	got, res, err = w.agent.PutArticle(ctx, "scaling-workers", fresh)
	if err != nil || res != client.PutCreated || got.Slug != "scaling-workers" || got.Revision != 1 || got.Status != "draft" {
		t.Fatalf("put new = %s %+v, %v", res, got, err)
	}
	_, _, err = w.agent.PutArticle(ctx, "scaling-workers", client.ArticleInput{Slug: "other-slug", Title: "x", Section: "knowledge-base", Body: "x"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["slug"] == "" {
		t.Fatalf("slug mismatch: %+v", e)
	}
	_, _, err = w.standard.PutArticle(ctx, a.Slug, edited)
	apiErr(t, err, 403, "forbidden")
	// Reserved slugs are refused, by name.
	_, _, err = w.agent.PutArticle(ctx, "search", fresh)
	if e := apiErr(t, err, 422, "invalid"); e.Fields["slug"] == "" {
		t.Fatalf("reserved slug: %+v", e)
	}

	// Revisions, a diff, and restore.
	revs, err := w.agent.Revisions(ctx, a.Slug)
	if err != nil || len(revs) != 2 || revs[0].Revision != 2 || revs[0].Note != "mention pg:promote" || revs[1].Revision != 1 {
		t.Fatalf("revisions = %+v, %v", revs, err)
	}
	r1, err := w.agent.Revision(ctx, a.Slug, 1)
	if err != nil || r1.Body != in.Body || r1.CurrentRevision != 2 {
		t.Fatalf("revision 1 = %+v, %v", r1, err)
	}
	if !slices.Contains(r1.Diff, client.DiffLine{Op: "-", Text: "Promote it."}) || !slices.Contains(r1.Diff, client.DiffLine{Op: "+", Text: "Promote it with `pg:promote`."}) ||
		!slices.Contains(r1.Diff, client.DiffLine{Op: " ", Text: "Detach the old one."}) {
		t.Fatalf("diff = %+v", r1.Diff)
	}
	restored, err := w.agent.Restore(ctx, a.Slug, 1)
	if err != nil || restored.Revision != 3 || restored.Body != in.Body {
		t.Fatalf("restored = %+v, %v", restored, err)
	}
	_, err = w.agent.Revision(ctx, a.Slug, 99)
	apiErr(t, err, 404, "not_found")
	_, err = w.agent.Restore(ctx, a.Slug, 99)
	apiErr(t, err, 404, "not_found")
	if status, body, _ := raw(t, w.env, w.agent.Token, "GET", "/api/v1/articles/"+a.Slug+"/revisions/abc", "", ""); status != 404 {
		t.Fatalf("malformed revision: %d %s", status, body)
	}
	_, err = w.standard.Revisions(ctx, a.Slug)
	apiErr(t, err, 403, "forbidden")
	_, err = w.standard.Restore(ctx, a.Slug, 1)
	apiErr(t, err, 403, "forbidden")

	// Drafts are staff's: everyone else gets 404, and may not ask for them.
	draft := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Upcoming region", Section: "platform", Status: "draft", Body: "Soon."})
	for name, c := range map[string]*client.Client{"anonymous": w.anon, "standard": w.standard, "enterprise": w.ent} {
		if _, err := c.GetArticle(ctx, draft.Slug); err == nil {
			t.Errorf("%s reads a draft", name)
		} else {
			apiErr(t, err, 404, "not_found")
		}
		as, err := c.ListArticles(ctx, client.ArticleFilter{Section: "platform"})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range as {
			if x.Slug == draft.Slug {
				t.Errorf("%s lists a draft", name)
			}
		}
		_, err = c.ListArticles(ctx, client.ArticleFilter{Status: "draft"})
		if e := apiErr(t, err, 422, "invalid"); e.Fields["status"] == "" {
			t.Fatalf("%s asks for drafts: %+v", name, e)
		}
	}
	drafts, err := w.agent.ListArticles(ctx, client.ArticleFilter{Status: "draft"})
	if err != nil || len(drafts) != 2 || drafts[0].Status != "draft" || drafts[1].Status != "draft" || (drafts[0].Slug != draft.Slug && drafts[1].Slug != draft.Slug) {
		t.Fatalf("staff drafts = %+v, %v", drafts, err)
	}
	kb, err := w.anon.ListArticles(ctx, client.ArticleFilter{Section: "knowledge-base", Tag: "credential-rotation"})
	if err != nil || len(kb) != 1 || kb[0].Slug != a.Slug {
		t.Fatalf("tag filter = %+v, %v", kb, err)
	}

	// Slugs nobody has, or that try to be paths, are simply not found.
	for _, p := range []string{"no-such-article", "..%2F..%2Fetc%2Fpasswd", "UPCOMING-REGION", "%E2%80%AEnoitcelfer", strings.Repeat("a", 3000)} {
		if status, body, _ := raw(t, w.env, "", "GET", "/api/v1/articles/"+p, "", ""); status != 404 || !strings.Contains(body, `"not_found"`) {
			t.Errorf("GET %s: %d %s", p, status, body)
		}
	}

	// Admins delete; agents may not.
	err = w.agent.DeleteArticle(ctx, a.Slug)
	apiErr(t, err, 403, "forbidden")
	if err := w.admin.DeleteArticle(ctx, a.Slug); err != nil {
		t.Fatal(err)
	}
	_, err = w.agent.GetArticle(ctx, a.Slug)
	apiErr(t, err, 404, "not_found")
	_, err = w.agent.Revisions(ctx, a.Slug)
	apiErr(t, err, 404, "not_found")
	err = w.admin.DeleteArticle(ctx, a.Slug)
	apiErr(t, err, 404, "not_found")
}

// A standard customer never gets an enterprise article: not by slug, not
// in a list, not in search.
func TestArticleAudiencesAndSearch(t *testing.T) {
	ctx := context.Background()
	w := newDocsWorld(t, apptest.Options{})
	pub := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Zebrafish deploys in Go", Section: "getting-started", Tags: []string{"go"},
		Body: "Deploy a zebrafish service written in Go with a Procfile."})
	cust := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Zebrafish billing questions", Section: "knowledge-base", Audience: "customers",
		Body: "How zebrafish invoices are computed for your account."})
	ent := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Zebrafish multi-region architecture review", Section: "enterprise", Audience: "enterprise",
		Body: "Our solutions architects review zebrafish topologies across regions."})
	draft := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Zebrafish draft notes", Section: "knowledge-base", Status: "draft",
		Body: "Unpublished zebrafish notes."})
	tk, err := w.standard.CreateTicket(ctx, client.NewTicket{Subject: "Zebrafish app crashes", Description: "Our zebrafish worker crashes with R14 since the deploy.",
		Priority: "normal", Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name       string
		c          *client.Client
		scope      string
		want, hide []string
	}{
		{"anonymous", w.anon, "", []string{pub.URL}, []string{cust.URL, ent.URL, draft.URL}},
		{"standard customer", w.standard, "", []string{pub.URL, cust.URL}, []string{ent.URL, draft.URL}},
		{"standard customer, all", w.standard, "all", []string{pub.URL, cust.URL}, []string{ent.URL, draft.URL}},
		{"enterprise customer", w.ent, "", []string{pub.URL, cust.URL, ent.URL}, []string{draft.URL}},
		{"staff", w.agent, "", []string{pub.URL, cust.URL, ent.URL}, nil},
		{"staff, docs", w.agent, "docs", []string{pub.URL, ent.URL}, []string{cust.URL}},
		{"staff, kb", w.agent, "kb", []string{cust.URL}, []string{pub.URL, ent.URL}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.c.Search(ctx, client.SearchQuery{Text: "zebrafish", Scope: tc.scope, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			got := urlsOf(res.Results)
			for _, u := range tc.want {
				if !slices.Contains(got, u) {
					t.Errorf("missing %s in %v", u, got)
				}
			}
			for _, u := range tc.hide {
				if slices.Contains(got, u) {
					t.Errorf("%s sees %s", tc.name, u)
				}
			}
			for _, r := range res.Results {
				if r.Kind == "ticket" {
					t.Errorf("scope %q returned a ticket: %+v", tc.scope, r)
				}
				if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(r.Snippet, "<mark>", ""), "</mark>", ""), "<") {
					t.Errorf("snippet has markup other than <mark>: %q", r.Snippet)
				}
			}
		})
	}

	// Enterprise articles by slug: 404 unless the reader may see them.
	for name, c := range map[string]*client.Client{"anonymous": w.anon, "standard": w.standard} {
		_, err := c.GetArticle(ctx, ent.Slug)
		if err == nil {
			t.Fatalf("%s reads the enterprise article", name)
		}
		apiErr(t, err, 404, "not_found")
		as, err := c.ListArticles(ctx, client.ArticleFilter{Section: "enterprise"})
		if err != nil || len(as) != 0 {
			t.Fatalf("%s lists enterprise articles: %+v, %v", name, as, err)
		}
	}
	if _, err := w.anon.GetArticle(ctx, cust.Slug); err == nil {
		t.Fatal("anonymous reads a customers article")
	}
	for _, c := range []*client.Client{w.ent, w.agent} {
		if _, err := c.GetArticle(ctx, ent.Slug); err != nil {
			t.Fatal(err)
		}
	}

	// Tickets: staff only, and said so.
	_, err = w.standard.Search(ctx, client.SearchQuery{Text: "zebrafish", Scope: "tickets"})
	apiErr(t, err, 403, "forbidden")
	_, err = w.anon.Search(ctx, client.SearchQuery{Text: "zebrafish", Scope: "tickets"})
	apiErr(t, err, 401, "unauthorized")
	res, err := w.agent.Search(ctx, client.SearchQuery{Text: "zebrafish", Scope: "tickets"})
	if err != nil || len(res.Results) != 1 || res.Results[0].Kind != "ticket" || res.Results[0].ID != tk.ID {
		t.Fatalf("staff ticket search = %+v, %v", res, err)
	}
	// The raw answer has the documented shape, with relative URLs.
	status, body, _ := raw(t, w.env, "", "GET", "/api/v1/search?q=zebrafish+procfile", "", "")
	var shape struct {
		Results []map[string]any `json:"results"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &shape) != nil || len(shape.Results) == 0 {
		t.Fatalf("raw search: %d %s", status, body)
	}
	for _, k := range []string{"title", "url", "snippet", "kind"} {
		if _, ok := shape.Results[0][k]; !ok {
			t.Errorf("result lacks %q: %v", k, shape.Results[0])
		}
	}
	if u, _ := shape.Results[0]["url"].(string); u != pub.URL {
		t.Errorf("best result for zebrafish procfile = %v, want %s", shape.Results[0]["url"], pub.URL)
	}

	// Paging and typos.
	page1, err := w.agent.Search(ctx, client.SearchQuery{Text: "zebrafish", Limit: 1})
	if err != nil || len(page1.Results) != 1 {
		t.Fatalf("limit 1 = %+v, %v", page1, err)
	}
	page2, err := w.agent.Search(ctx, client.SearchQuery{Text: "zebrafish", Limit: 1, Offset: 1})
	if err != nil || len(page2.Results) != 1 || page2.Results[0].URL == page1.Results[0].URL {
		t.Fatalf("offset 1 = %+v, %v", page2, err)
	}
	typo, err := w.anon.Search(ctx, client.SearchQuery{Text: "zebrafsh"})
	if err != nil || typo.Corrected == "" || len(typo.Results) == 0 || typo.Results[0].URL != pub.URL {
		t.Fatalf("typo = %+v, %v", typo, err)
	}
}

func TestSearchBadInput(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	for _, tc := range []struct {
		name, query, field string
	}{
		{"no query", "", "q"},
		{"blank query", "q=++", "q"},
		{"long query", "q=" + strings.Repeat("a", 501), "q"},
		{"unknown scope", "q=h12&scope=everything", "scope"},
		{"limit too big", "q=h12&limit=51", "limit"},
		{"limit zero", "q=h12&limit=0", "limit"},
		{"limit not a number", "q=h12&limit=ten", "limit"},
		{"negative offset", "q=h12&offset=-1", "offset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := raw(t, env, "", "GET", "/api/v1/search?"+tc.query, "", "")
			if status != 422 || !strings.Contains(body, `"`+tc.field+`": `) {
				t.Fatalf("%d %s, want 422 naming %s", status, body, tc.field)
			}
		})
	}
	// A bad token on a public endpoint is still a bad token.
	if status, body, _ := raw(t, env, "hlp_wrongwrongwrong", "GET", "/api/v1/search?q=h12", "", ""); status != 401 {
		t.Fatalf("bad token: %d %s", status, body)
	}
}

func TestArticleBadInput(t *testing.T) {
	w := newDocsWorld(t, apptest.Options{Env: map[string]string{"HELPLINE_MAX_BODY_BYTES": "4096"}})
	tok := w.agent.Token
	const j = "application/json"
	valid := `"title": "T", "section": "knowledge-base", "body": "B"`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"malformed JSON", "POST", "/api/v1/articles", `{"title": `, 422, "malformed JSON"},
		{"unknown field", "POST", "/api/v1/articles", `{` + valid + `, "colour": "red"}`, 422, `"colour": "is not a known field"`},
		{"wrong type", "POST", "/api/v1/articles", `{"title": "T", "section": "knowledge-base", "body": "B", "tags": "go"}`, 422, `"tags": "must be an array`},
		{"wrong type number", "PUT", "/api/v1/articles/x-y", `{` + valid + `, "position": "first"}`, 422, `"position": "must be a number`},
		{"bad review date", "POST", "/api/v1/articles", `{` + valid + `, "last_reviewed_at": "last week"}`, 422, `"last_reviewed_at"`},
		{"unknown section", "POST", "/api/v1/articles", `{"title": "T", "section": "misc", "body": "B"}`, 422, `"section"`},
		{"unknown audience", "POST", "/api/v1/articles", `{` + valid + `, "audience": "vip"}`, 422, `"audience"`},
		{"unknown status", "POST", "/api/v1/articles", `{` + valid + `, "status": "live"}`, 422, `"status"`},
		{"no title", "POST", "/api/v1/articles", `{"section": "knowledge-base", "body": "B"}`, 422, `"title"`},
		{"oversized", "POST", "/api/v1/articles", `{` + valid + `, "summary": "` + strings.Repeat("a", 5000) + `"}`, 413, "larger than 4096 bytes"},
		{"list: unknown section", "GET", "/api/v1/articles?section=misc", "", 422, `"section"`},
		{"list: bad limit", "GET", "/api/v1/articles?limit=0", "", 422, `"limit"`},
		{"list: unknown status", "GET", "/api/v1/articles?status=live", "", 422, `"status"`},
		{"rating: no verdict", "POST", "/api/v1/articles/x/ratings", `{"comment": "meh"}`, 422, `"helpful"`},
		{"rating: voter is not a field", "POST", "/api/v1/articles/x/ratings", `{"helpful": true, "voter": "v"}`, 422, `"voter": "is not a known field"`},
		{"rating: wrong type", "POST", "/api/v1/articles/x/ratings", `{"helpful": "yes"}`, 422, `"helpful": "must be true or false`},
		{"deflection: bad day", "GET", "/api/v1/reports/deflection?from=March", "", 422, `"from"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctype := ""
			if tc.body != "" {
				ctype = j
			}
			status, body, _ := raw(t, w.env, tok, tc.method, tc.path, ctype, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) || !strings.Contains(body, `"code": "invalid"`) {
				t.Fatalf("%d %s, want %d with %s", status, body, tc.status, tc.want)
			}
		})
	}
}

func TestRatings(t *testing.T) {
	ctx := context.Background()
	w := newDocsWorld(t, apptest.Options{})
	a := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Reading router logs", Section: "platform", Body: "at=error code=H12"})
	ent := mustCreateArticle(t, w.agent, client.ArticleInput{Title: "Enterprise runbooks", Section: "enterprise", Audience: "enterprise", Body: "x"})

	r, err := w.standard.Rate(ctx, a.Slug, true, "Clear, thanks")
	if err != nil || !r.Helpful || r.Comment != "Clear, thanks" || r.ArticleID != a.ID {
		t.Fatalf("rating = %+v, %v", r, err)
	}
	if _, err := w.ent.Rate(ctx, a.Slug, false, "Needs an example"); err != nil {
		t.Fatal(err)
	}
	// A second vote replaces the first.
	if _, err := w.standard.Rate(ctx, a.Slug, false, ""); err != nil {
		t.Fatal(err)
	}
	// Ratings from the API need a token; hidden articles are not found.
	_, err = w.anon.Rate(ctx, a.Slug, true, "")
	apiErr(t, err, 401, "unauthorized")
	_, err = w.standard.Rate(ctx, ent.Slug, true, "")
	apiErr(t, err, 404, "not_found")
	_, err = w.standard.Rate(ctx, "no-such-article", true, "")
	apiErr(t, err, 404, "not_found")

	rs, sum, err := w.agent.Ratings(ctx, a.Slug, client.Page{})
	if err != nil || len(rs) != 2 || sum.Helpful != 0 || sum.NotHelpful != 2 || sum.Comments != 1 || sum.Slug != a.Slug {
		t.Fatalf("ratings = %+v %+v, %v", rs, sum, err)
	}
	_, _, err = w.standard.Ratings(ctx, a.Slug, client.Page{})
	apiErr(t, err, 403, "forbidden")
	sums, err := w.agent.RatingSummaries(ctx)
	if err != nil || len(sums) != 1 || sums[0].ArticleID != a.ID {
		t.Fatalf("summaries = %+v, %v", sums, err)
	}
	_, err = w.standard.RatingSummaries(ctx)
	apiErr(t, err, 403, "forbidden")
}

// The shipped error-code reference is public and case-insensitive.
func TestErrorCodes(t *testing.T) {
	ctx := context.Background()
	w := newDocsWorld(t, apptest.Options{})
	codes, err := w.anon.ErrorCodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]client.Article{}
	for _, a := range codes {
		if a.ErrorCode == "" || a.Section != "error-codes" {
			t.Errorf("not an error code: %+v", a)
		}
		have[a.ErrorCode] = a
	}
	for _, c := range []string{"H10", "H11", "H12", "H14", "H18", "H27", "R14", "L10"} {
		if _, ok := have[c]; !ok {
			t.Errorf("reference lacks %s", c)
		}
	}
	for _, code := range []string{"h12", "H12"} {
		a, err := w.anon.ErrorCode(ctx, code)
		if err != nil || a.ErrorCode != "H12" || a.Slug != "h12-request-timeout" || a.URL != "/docs/error-codes#h12-request-timeout" || a.Body == "" {
			t.Fatalf("%q = %+v, %v", code, a, err)
		}
	}
	_, err = w.anon.ErrorCode(ctx, "H00")
	apiErr(t, err, 404, "not_found")
	_, err = w.anon.ErrorCode(ctx, "../articles")
	apiErr(t, err, 404, "not_found")

	// A query naming a code puts its entry first, for every reader.
	for _, c := range []*client.Client{w.anon, w.standard, w.agent} {
		res, err := c.Search(ctx, client.SearchQuery{Text: "getting h12 errors on my app"})
		if err != nil || len(res.Results) == 0 || res.Results[0].ErrorCode != "H12" {
			t.Fatalf("search h12 = %+v, %v", res, err)
		}
	}
}

func TestDeflectionReport(t *testing.T) {
	ctx := context.Background()
	w := newDocsWorld(t, apptest.Options{})
	rep, err := w.agent.Deflection(ctx, "", "")
	if err != nil || rep.Articles == nil || !rep.To.After(rep.From) {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	rep, err = w.agent.Deflection(ctx, "2020-01-01", "2020-01-31")
	if err != nil || rep.From.Format("2006-01-02") != "2020-01-01" || rep.To.Format("2006-01-02") != "2020-02-01" {
		t.Fatalf("january 2020 = %+v, %v", rep, err)
	}
	_, err = w.standard.Deflection(ctx, "", "")
	apiErr(t, err, 403, "forbidden")
	_, err = w.agent.Deflection(ctx, "2020-02-01", "2020-01-01")
	if e := apiErr(t, err, 422, "invalid"); e.Fields["to"] == "" {
		t.Fatalf("reversed period: %+v", e)
	}
}
