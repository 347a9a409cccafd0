package search

import (
	"context"
	"slices"
	"strings"

	"github.com/helpline-dev/helpline/internal/db"
)

// sqliteEngine searches the FTS5 table search_fts (see migration 0009).
// Its columns are title, tags, body, and scope: the document's audience
// and kind as words, so the whole search happens inside the FTS5 index.
type sqliteEngine struct{}

// ranked ranks by bm25 with title ten and tags five times the body's
// weight (scope none). The inner query ranks and pages; snippets are made
// for the page only, by a second MATCH that FTS5 answers by rowid.
func (sqliteEngine) ranked(ctx context.Context, q db.Querier, r rankQuery) ([]Result, error) {
	var words []string
	if len(r.rare) > 0 {
		words = append(words, `{title tags body}: (`+ftsQuery(r.rare)+`)`)
	}
	if len(r.common) > 0 {
		words = append(words, `{title tags}: (`+ftsQuery(r.common)+`)`)
	}
	args := []any{`(` + strings.Join(words, " OR ") + `)` + ftsScope(r.filter)}
	exclude := ""
	if len(r.filter.exclude) > 0 {
		exclude = ` AND search_fts.rowid NOT IN (` + placeholders(&args, r.filter.exclude) + `)`
	}
	page := ` LIMIT ` + arg(&args, r.limit) + ` OFFSET ` + arg(&args, r.offset)
	query := `SELECT d.kind, d.ref_id, d.title, d.url, coalesce(d.error_code, ''),
		CASE WHEN d.body = '' THEN snippet(search_fts, 0, char(1), char(2), '…', 30)
			ELSE snippet(search_fts, 2, char(1), char(2), '…', 30) END,
		r.score
	FROM (SELECT search_fts.rowid AS id, -bm25(search_fts, 10.0, 5.0, 1.0, 0.0) AS score
		FROM search_fts
		WHERE search_fts MATCH $1` + exclude + `
		ORDER BY score DESC, search_fts.rowid` + page + `) r
	JOIN search_fts ON search_fts.rowid = r.id
	JOIN search_docs d ON d.id = r.id
	WHERE search_fts MATCH $1
	ORDER BY r.score DESC, r.id`
	return scanRanked(q.QueryContext(ctx, query, args...))
}

func (sqliteEngine) finds(ctx context.Context, q db.Querier, word string, audiences []string) (bool, error) {
	match := `{title tags body}: ` + ftsQuery([]string{word}) + ftsScope(filter{audiences: audiences})
	var found bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH $1)`, match).Scan(&found)
	return found, err
}

// ftsScope is f as a MATCH expression on the scope column (whose words the
// migration writes as 'audience' || audience and 'kind' || kind) to AND
// with the words. It excludes the audiences and kinds f leaves out rather
// than including those it names: bm25 scores every phrase a row matches,
// and a phrase every row matches makes ranking several times slower.
func ftsScope(f filter) string {
	var out []string
	for _, a := range allAudiences {
		if !slices.Contains(f.audiences, string(a)) {
			out = append(out, "audience"+string(a))
		}
	}
	if len(f.kinds) > 0 {
		for _, k := range allKinds {
			if !slices.Contains(f.kinds, string(k)) {
				out = append(out, "kind"+string(k))
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	return ` NOT scope: (` + ftsQuery(out) + `)`
}
