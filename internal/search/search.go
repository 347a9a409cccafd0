// Package search is Helpline's full-text index: one Index interface over
// SQLite FTS5 and PostgreSQL full-text search, the one place the two
// databases take different code paths outside the migrations.
//
// Content packages put a Doc into the index in the same transaction that
// saves the content, so the index never lags or loses a write.
//
// Searches are written as customers write ("my app keeps crashing with h10
// what do i do"): stopwords go, any remaining word matches (ranking sorts
// out the rest), misspelled words are corrected from the vocabulary of the
// indexed words, and the entry of an error code the query names comes
// first. The engines stem, rank (title and tags above body) and mark the
// snippets; everything else is shared Go.
package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Kind is what a document is; results carry it, and scopes filter by it.
type Kind string

const (
	KindDoc       Kind = "doc"       // a Dev Center article, error codes included
	KindKB        Kind = "kb"        // a knowledge-base article
	KindChangelog Kind = "changelog" // a changelog entry
	KindBlog      Kind = "blog"      // a blog post
	KindTicket    Kind = "ticket"    // a support ticket: staff only
)

// allKinds are all the kinds; Put refuses others, so a filter can name the
// kinds it leaves out.
var allKinds = []Kind{KindDoc, KindKB, KindChangelog, KindBlog, KindTicket}

// Audience says who may find a document. Articles and posts use the first
// three; tickets are AudienceStaff.
type Audience string

const (
	AudiencePublic     Audience = "public"     // anyone, signed out included
	AudienceCustomers  Audience = "customers"  // signed-in users
	AudienceEnterprise Audience = "enterprise" // users of enterprise plans, and staff
	AudienceStaff      Audience = "staff"      // staff only (tickets, drafts)
)

// allAudiences are all the audiences; Put refuses others.
var allAudiences = []Audience{AudiencePublic, AudienceCustomers, AudienceEnterprise, AudienceStaff}

// Doc is one searchable document.
type Doc struct {
	Kind Kind
	ID   int64 // the row's ID in its own table; (Kind, ID) is the key
	// Title and Tags weigh more than Body in ranking. Body is plain text:
	// callers strip Markdown first.
	Title string
	Tags  []string
	Body  string
	URL   string // where a reader opens it, e.g. /docs/h12-request-timeout
	// Audience is who may see it. Unpublished content is AudienceStaff.
	Audience Audience
	// ErrorCode is the platform error code (H12, R14, L10) of an error-code
	// reference entry; a query naming the code ranks this document first.
	ErrorCode string
	UpdatedAt time.Time
}

// Query is one search.
type Query struct {
	Text string
	// Kinds limits results to these kinds; empty means all kinds.
	Kinds []Kind
	// Audiences are the audiences the searcher may see; callers derive them
	// from the actor. Empty finds nothing.
	Audiences []Audience
	Limit     int // 1..50, default 10
	Offset    int
}

// Result is one hit, best first.
type Result struct {
	Kind  Kind   `json:"kind"`
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
	// Snippet is HTML: the matching passage, HTML-escaped, with the matched
	// words in <mark></mark>. Nothing else is ever unescaped.
	Snippet   string `json:"snippet"`
	ErrorCode string `json:"error_code,omitempty"`
	// Corrected is the query as searched after typo correction, when it
	// differs from what was typed ("Showing results for …").
	Corrected string `json:"-"`
	// Score orders the results, higher first; it compares within one
	// search only. An exact error-code match scores exactScore.
	Score float64 `json:"score"`
}

// Index stores and searches documents. Put and Delete take the caller's
// transaction (or the pool) so the index changes with the content.
type Index interface {
	Put(ctx context.Context, q db.Querier, d Doc) error
	Delete(ctx context.Context, q db.Querier, kind Kind, id int64) error
	Search(ctx context.Context, q Query) ([]Result, error)
}

// New returns the index for d's dialect: FTS5 on SQLite, tsvector and GIN on
// PostgreSQL. Everything but the ranked query is shared.
func New(d *db.DB) Index {
	var e engine = sqliteEngine{}
	if d.Dialect == db.Postgres {
		e = postgresEngine{}
	}
	return &index{db: d, engine: e, commonDocs: commonDocs}
}

// engine is what differs between the databases: the ranked full-text query
// and asking the index whether it knows a word.
type engine interface {
	// ranked returns a page of the documents matching any of r.terms that
	// pass r's filter, best first, with snippets.
	ranked(ctx context.Context, q db.Querier, r rankQuery) ([]Result, error)
	// finds reports whether a document of audiences contains word, after
	// stemming.
	finds(ctx context.Context, q db.Querier, word string, audiences []string) (bool, error)
}

// rankQuery is one ranked full-text query: documents with a rare word
// anywhere or a common word in the title or tags, ranked by all the words.
type rankQuery struct {
	terms         []string // all of them, in query order
	rare          []string // searched in title, tags and body
	common        []string // searched in title and tags (see commonDocs)
	filter        filter
	limit, offset int
}

// filter limits a search to what the searcher may see and asked for.
type filter struct {
	audiences []string
	kinds     []string
	exclude   []int64 // search_docs IDs already shown (exact error-code matches)
}

// where returns the filter as SQL conditions on search_docs d, each starting
// with AND, appending its arguments.
func (f filter) where(args *[]any) string {
	s := ` AND d.audience IN (` + placeholders(args, f.audiences) + `)`
	if len(f.kinds) > 0 {
		s += ` AND d.kind IN (` + placeholders(args, f.kinds) + `)`
	}
	if len(f.exclude) > 0 {
		s += ` AND d.id NOT IN (` + placeholders(args, f.exclude) + `)`
	}
	return s
}

type index struct {
	db         *db.DB
	engine     engine
	commonDocs int // commonDocs; tests lower it
}

// Put adds d to the index or replaces it.
func (ix *index) Put(ctx context.Context, q db.Querier, d Doc) error {
	v := helpline.Validation{}
	v.Check(slices.Contains(allKinds, d.Kind), "kind", "must be doc, kb, changelog, blog or ticket")
	v.Check(d.ID > 0, "id", "give the document's ID in its own table")
	v.Check(slices.Contains(allAudiences, d.Audience), "audience", "must be public, customers, enterprise or staff")
	if err := v.Err(); err != nil {
		return err
	}
	doc := stored{
		title:    clean(d.Title),
		tags:     clean(strings.Join(d.Tags, ", ")),
		body:     clean(d.Body),
		audience: string(d.Audience),
	}
	var code *string
	if c := strings.ToUpper(strings.TrimSpace(d.ErrorCode)); c != "" {
		code = &c
	}
	old, found, err := load(ctx, q, d.Kind, d.ID)
	if err != nil {
		return err
	}
	if found && old == doc {
		// Same text and audience (a ticket changing status): leave the
		// full-text index be.
		_, err := q.ExecContext(ctx, `UPDATE search_docs SET url = $1, error_code = $2, updated_at = $3 WHERE kind = $4 AND ref_id = $5`,
			d.URL, code, db.Time(d.UpdatedAt), d.Kind, d.ID)
		if err != nil {
			return fmt.Errorf("index %s %d: %w", d.Kind, d.ID, err)
		}
		return nil
	}
	_, err = q.ExecContext(ctx, `INSERT INTO search_docs (kind, ref_id, title, tags, body, url, audience, error_code, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (kind, ref_id) DO UPDATE SET title = excluded.title, tags = excluded.tags, body = excluded.body,
			url = excluded.url, audience = excluded.audience, error_code = excluded.error_code, updated_at = excluded.updated_at`,
		d.Kind, d.ID, doc.title, doc.tags, doc.body, d.URL, doc.audience, code, db.Time(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("index %s %d: %w", d.Kind, d.ID, err)
	}
	return updateVocabulary(ctx, q, old, doc)
}

// Delete removes a document from the index; a missing one is no error.
func (ix *index) Delete(ctx context.Context, q db.Querier, kind Kind, id int64) error {
	old, found, err := load(ctx, q, kind, id)
	if err != nil || !found {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2`, kind, id); err != nil {
		return fmt.Errorf("unindex %s %d: %w", kind, id, err)
	}
	return updateVocabulary(ctx, q, old, stored{})
}

// Search runs q: exact error-code matches first, then the full-text
// matches of any meaningful word of q.Text, best first.
func (ix *index) Search(ctx context.Context, q Query) ([]Result, error) {
	return ix.search(ctx, ix.db, q)
}

// search runs a search's queries on dbq (tests pass one that explains them).
func (ix *index) search(ctx context.Context, dbq db.Querier, q Query) ([]Result, error) {
	limit, offset := q.Limit, max(q.Offset, 0)
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 50)
	out := []Result{}
	p := parse(q.Text)
	if len(q.Audiences) == 0 || len(p.terms) == 0 {
		return out, nil
	}
	f := filter{audiences: strs(q.Audiences), kinds: strs(q.Kinds)}
	stats, err := lookup(ctx, dbq, p.terms, f.audiences)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	fixes, err := ix.correct(ctx, dbq, p.terms, stats, f.audiences)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	corrected := ""
	if len(fixes) > 0 {
		p.terms = applyFixes(p.terms, fixes)
		corrected = rewrite(q.Text, fixes)
	}
	if len(p.codes) > 0 {
		exact, ids, err := exactCodes(ctx, dbq, p, f)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if offset < len(exact) {
			out = append(out, exact[offset:min(len(exact), offset+limit)]...)
		}
		offset = max(0, offset-len(exact))
		f.exclude = ids
	}
	if len(out) < limit {
		r := rankQuery{terms: p.terms, filter: f, limit: limit - len(out), offset: offset}
		for _, t := range p.terms {
			if stats[t].docs > ix.commonDocs {
				r.common = append(r.common, t)
			} else {
				r.rare = append(r.rare, t)
			}
		}
		ranked, err := ix.engine.ranked(ctx, dbq, r)
		if err == nil && len(ranked) < r.limit && len(r.common) > 0 {
			// Too few with common words in titles and tags: look in bodies.
			r.rare, r.common = r.terms, nil
			ranked, err = ix.engine.ranked(ctx, dbq, r)
		}
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, ranked...)
	}
	for i := range out {
		out[i].Corrected = corrected
	}
	return out, nil
}

// exactScore is the score of an exact error-code match: above any
// full-text score of either engine.
const exactScore = 1000

// exactCodes returns the visible documents whose error code the query
// names, in the order the query names them, and their search_docs IDs.
func exactCodes(ctx context.Context, q db.Querier, p parsed, f filter) ([]Result, []int64, error) {
	var args []any
	query := `SELECT d.id, d.kind, d.ref_id, d.title, d.url, d.body, d.error_code FROM search_docs d
		WHERE d.error_code IN (` + placeholders(&args, p.codes) + `)` + f.where(&args) + ` ORDER BY d.id LIMIT 50`
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Result
	var ids []int64
	for rows.Next() {
		var r Result
		var id int64
		var body string
		if err := rows.Scan(&id, &r.Kind, &r.ID, &r.Title, &r.URL, &body, &r.ErrorCode); err != nil {
			return nil, nil, err
		}
		if body == "" {
			body = r.Title
		}
		r.Snippet = passage(body, p.terms, snippetWords)
		r.Score = exactScore
		out = append(out, r)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	order := func(code string) int { return slices.Index(p.codes, code) }
	sort.SliceStable(out, func(i, j int) bool { return order(out[i].ErrorCode) < order(out[j].ErrorCode) })
	return out, ids, nil
}

// applyFixes returns terms with the corrections made, without repeats.
func applyFixes(terms []string, fixes map[string]string) []string {
	var out []string
	for _, t := range terms {
		if fix, ok := fixes[t]; ok {
			t = fix
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// stored is the text of an indexed document.
type stored struct{ title, tags, body, audience string }

func load(ctx context.Context, q db.Querier, kind Kind, id int64) (stored, bool, error) {
	var s stored
	err := q.QueryRowContext(ctx, `SELECT title, tags, body, audience FROM search_docs WHERE kind = $1 AND ref_id = $2`, kind, id).
		Scan(&s.title, &s.tags, &s.body, &s.audience)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("read index entry %s %d: %w", kind, id, err)
	}
	return s, true, nil
}

// clean drops the characters snippets use as markers, and NUL, which
// PostgreSQL refuses in text.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == markStart || r == markEnd || r == lessThan || r == 0 {
			return -1
		}
		return r
	}, s)
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// arg appends v to args and returns its placeholder.
func arg(args *[]any, v any) string {
	*args = append(*args, v)
	return "$" + strconv.Itoa(len(*args))
}

// placeholders appends vals to args and returns their placeholders,
// separated by commas.
func placeholders[T any](args *[]any, vals []T) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = arg(args, v)
	}
	return strings.Join(ph, ", ")
}
