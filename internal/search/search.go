// Package search is Helpline's full-text index: one Index interface over
// SQLite FTS5 and PostgreSQL full-text search, the one place the two
// databases take different code paths outside the migrations.
//
// Content packages put a Doc into the index in the same transaction that
// saves the content, so the index never lags or loses a write.
package search

import (
	"context"
	"time"

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

// Audience says who may find a document. Articles and posts use the first
// three; tickets are AudienceStaff.
type Audience string

const (
	AudiencePublic     Audience = "public"     // anyone, signed out included
	AudienceCustomers  Audience = "customers"  // signed-in users
	AudienceEnterprise Audience = "enterprise" // users of enterprise plans, and staff
	AudienceStaff      Audience = "staff"      // staff only (tickets, drafts)
)

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
	Corrected string  `json:"-"`
	Score     float64 `json:"score"`
}

// Index stores and searches documents. Put and Delete take the caller's
// transaction (or the pool) so the index changes with the content.
type Index interface {
	Put(ctx context.Context, q db.Querier, d Doc) error
	Delete(ctx context.Context, q db.Querier, kind Kind, id int64) error
	Search(ctx context.Context, q Query) ([]Result, error)
}

// New returns the index for d's dialect.
func New(d *db.DB) Index {
	return todoIndex{} // TODO(search helper)
}

type todoIndex struct{}

func (todoIndex) Put(context.Context, db.Querier, Doc) error            { return nil }
func (todoIndex) Delete(context.Context, db.Querier, Kind, int64) error { return nil }
func (todoIndex) Search(context.Context, Query) ([]Result, error)       { return nil, nil }

// PlainText turns Markdown into the text the index stores: no markup, link
// targets or fences, words and code kept.
func PlainText(md string) string {
	return md // TODO(search helper)
}
