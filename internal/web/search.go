package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/search"
)

const searchPerPage = 20

// searchScopes are the search page's tabs; Staff ones are shown to staff
// only (the service enforces what each searcher may see).
var searchScopes = []struct {
	Scope docs.Scope
	Label string
	Staff bool
}{
	{docs.ScopeHelp, "Help center", false},
	{docs.ScopeDocs, "Docs", false},
	{docs.ScopeKB, "Knowledge base", false},
	{docs.ScopeChangelog, "Changelog and blog", false},
	{docs.ScopeTickets, "Tickets", true},
	{docs.ScopeAll, "Everything", true},
}

type searchTab struct {
	Scope   docs.Scope
	Label   string
	URL     string
	Current bool
}

type searchResultView struct {
	search.Result
	HTML      template.HTML // the snippet
	KindLabel string
}

type searchData struct {
	Query      string
	Scope      docs.Scope
	Tabs       []searchTab
	Results    []searchResultView
	Corrected  string
	Searched   bool
	Offset     int
	Prev, Next string
}

// Start is the number of the page's first result.
func (d searchData) Start() int { return d.Offset + 1 }

// ScopeLabel names the current scope, for the page's words.
func (d searchData) ScopeLabel() string {
	for _, t := range d.Tabs {
		if t.Current {
			return t.Label
		}
	}
	return string(d.Scope)
}

func (web *Web) searchPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	scope := docs.Scope(q.Get("scope"))
	if scope == "" {
		scope = docs.ScopeHelp
	}
	offset := max(queryInt(q.Get("offset")), 0)
	d := searchData{Query: text, Scope: scope, Offset: offset}
	for _, s := range searchScopes {
		if s.Staff && !a.IsStaff() {
			continue
		}
		v := url.Values{"scope": {string(s.Scope)}}
		if text != "" {
			v.Set("q", text)
		}
		d.Tabs = append(d.Tabs, searchTab{Scope: s.Scope, Label: s.Label, URL: "/search?" + v.Encode(), Current: s.Scope == scope})
	}
	p := &Page{Title: "Search", Form: q}
	status := http.StatusOK
	if text != "" {
		p.Title = "Search: " + text
		res, err := web.Docs.Search(ctx, a, docs.SearchQuery{Text: text, Scope: scope, Page: helpline.Page{Limit: searchPerPage + 1, Offset: offset}})
		if err != nil {
			he, st, ok := searchError(err)
			if !ok {
				return err
			}
			p.Message, p.Errors, status = he.Message, searchFields(he.Fields), st
		} else {
			d.Searched = true
			d.Prev, d.Next = pager("/search", q, offset, searchPerPage, len(res) > searchPerPage)
			res = res[:min(len(res), searchPerPage)]
			for _, x := range res {
				d.Results = append(d.Results, searchResultView{Result: x, HTML: safeSnippet(x.Snippet), KindLabel: kindLabel(x)})
				if d.Corrected == "" && x.Corrected != "" && !strings.EqualFold(x.Corrected, text) {
					d.Corrected = x.Corrected
				}
			}
		}
	}
	p.Data = d
	web.render(w, r, status, "search", p)
	return nil
}

// searchError is inputError, plus scopes the searcher may not use: both
// are shown on the form, with the query kept.
func searchError(err error) (*helpline.Error, int, bool) {
	if he, st, ok := inputError(err); ok {
		return he, st, true
	}
	if he, ok := err.(*helpline.Error); ok && he.Kind == helpline.KindForbidden {
		return he, http.StatusForbidden, true
	}
	return nil, 0, false
}

// searchFields files the service's field errors under the form's names:
// the query box is q.
func searchFields(f map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		switch k {
		case "text", "query":
			k = "q"
		}
		out[k] = v
	}
	return out
}

// kindLabel says what a result is, in words.
func kindLabel(r search.Result) string {
	switch r.Kind {
	case search.KindDoc:
		if r.ErrorCode != "" {
			return "Error code"
		}
		return "Docs"
	case search.KindKB:
		return "Knowledge base"
	case search.KindChangelog:
		return "Changelog"
	case search.KindBlog:
		return "Blog"
	case search.KindTicket:
		return "Ticket"
	}
	return string(r.Kind)
}

// safeSnippet turns a result's snippet into HTML. The index promises
// escaped text with <mark> around matches; anything else that looks like a
// tag means that promise broke, and the whole snippet is escaped rather
// than trusted.
func safeSnippet(s string) template.HTML {
	const openMark, closeMark = "\uE000", "\uE001"
	t := strings.NewReplacer(openMark, "", closeMark, "").Replace(s)
	t = strings.NewReplacer("<mark>", openMark, "</mark>", closeMark).Replace(t)
	if strings.ContainsAny(t, "<>") {
		t = template.HTMLEscapeString(t)
	}
	return template.HTML(strings.NewReplacer(openMark, "<mark>", closeMark, "</mark>").Replace(t))
}

// suggestion is one entry of the suggest-as-you-type list.
type suggestion struct {
	Title   string `json:"title"`
	URL     string `json:"url"`
	Snippet string `json:"snippet"` // HTML: escaped text with <mark>
	Kind    string `json:"kind"`    // doc, kb, …, as in the API's results
	Label   string `json:"label"`   // the kind in words: "Error code"
}

const (
	suggestCount    = 5
	suggestMinChars = 3
	// suggestMaxChars bounds what is searched: a ticket's subject and the
	// start of its description say what it is about.
	suggestMaxChars = 500
)

// suggest answers the help center's search box and the ticket form as the
// customer types. With d, the ticket form's deflection token, the articles
// are recorded as shown and their links carry the token, so opening one
// is recorded too.
func (web *Web) suggest(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	text := []rune(strings.TrimSpace(q.Get("q")))
	text = text[:min(len(text), suggestMaxChars)]
	token := q.Get("d")
	out := []suggestion{}
	if len(text) >= suggestMinChars {
		res, err := web.Docs.Suggest(ctx, a, string(text), token)
		if err != nil {
			he, status, ok := searchError(err)
			if !ok {
				request.Logger(ctx).Error("suggest", "err", err)
				docsJSON(w, http.StatusInternalServerError, map[string]string{"error": "Suggestions are unavailable right now."})
				return nil
			}
			docsJSON(w, status, map[string]string{"error": he.Message})
			return nil
		}
		for _, x := range res[:min(len(res), suggestCount)] {
			s := suggestion{Title: x.Title, URL: x.URL, Snippet: string(safeSnippet(x.Snippet)), Kind: string(x.Kind), Label: kindLabel(x)}
			if token != "" && (x.Kind == search.KindDoc || x.Kind == search.KindKB) && strings.HasPrefix(x.URL, "/docs/") {
				s.URL = "/docs/" + url.PathEscape(articleSlug(x.URL)) + "?d=" + url.QueryEscape(token)
			}
			out = append(out, s)
		}
	}
	docsJSON(w, http.StatusOK, out)
	return nil
}

// articleSlug reads an article's slug from its URL: /docs/{slug}, or
// /docs/error-codes#{slug} for error codes.
func articleSlug(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[i+1:]
	}
	return strings.TrimPrefix(u, "/docs/")
}

func docsJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
