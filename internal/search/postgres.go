package search

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/helpline-dev/helpline/internal/db"
)

// postgresEngine searches search_docs.document, a weighted tsvector under a
// GIN index, and search_docs.heading, the same of title and tags (see
// migration 0009).
//
// Its queries run as unnamed statements (pgx.QueryExecModeExec, the first
// argument: see unprepared): pgx would otherwise prepare and cache them,
// and after five runs PostgreSQL may switch a prepared statement to a
// generic plan, which cannot see the tsquery and ranks four times slower.
type postgresEngine struct{}

// headlineOptions make ts_headline mark matches with the sentinels mark
// turns into <mark> after escaping, in about snippetWords words.
const headlineOptions = `StartSel="` + string(markStart) + `", StopSel="` + string(markEnd) + `", ` +
	`MaxWords=30, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`

// ranked ranks by ts_rank with title (A) 1.0, tags (B) 0.5 and body (D)
// 0.1, divided by the log of the length as bm25 does on SQLite. Ranking
// reads each candidate's whole tsvector, so the candidates are bounded: the
// documents with a rare word (at most commonDocs each), and of those with a
// common word in the heading only the best by their small heading vector.
// ts_rank knows nothing of how rare a word is, so documents with a rare
// word come first (their score is one more), as bm25's IDF would have it.
// Headlines, which re-parse the text, are made for the page only. '<' is
// swapped for lessThan, as in the indexed tsvectors, or the parser would
// skip <…> as an HTML tag.
func (postgresEngine) ranked(ctx context.Context, q db.Querier, r rankQuery) ([]Result, error) {
	args := []any{tsQuery(r.terms), headlineOptions}
	where := r.filter.where(&args)
	var candidates []string
	if len(r.rare) > 0 {
		candidates = append(candidates, `SELECT d.id, 1 AS tier FROM search_docs d
			WHERE d.document @@ to_tsquery('english', `+arg(&args, tsQuery(r.rare))+`)`+where)
	}
	if len(r.common) > 0 {
		candidates = append(candidates, `(SELECT d.id, 0 AS tier FROM search_docs d
			WHERE d.heading @@ to_tsquery('english', `+arg(&args, tsQuery(r.common))+`)`+where+`
			ORDER BY ts_rank('{0.1, 0.2, 0.5, 1.0}', d.heading, to_tsquery('english', $1)) DESC, d.id
			LIMIT `+arg(&args, 2*(r.offset+r.limit)+50)+`)`)
	}
	page := ` LIMIT ` + arg(&args, r.limit) + ` OFFSET ` + arg(&args, r.offset)
	query := `WITH candidates AS (` + strings.Join(candidates, " UNION ALL ") + `),
	best AS (SELECT id, max(tier) AS tier FROM candidates GROUP BY id),
	ranked AS (SELECT d.id, b.tier + ts_rank('{0.1, 0.2, 0.5, 1.0}', d.document, to_tsquery('english', $1), 1) AS score
		FROM best b JOIN search_docs d ON d.id = b.id
		ORDER BY score DESC, d.id` + page + `)
	SELECT d.kind, d.ref_id, d.title, d.url, coalesce(d.error_code, ''),
		ts_headline('english', replace(CASE WHEN d.body = '' THEN d.title ELSE d.body END, '<', chr(3)), to_tsquery('english', $1), $2),
		r.score
	FROM ranked r JOIN search_docs d ON d.id = r.id
	ORDER BY r.score DESC, r.id`
	return scanRanked(q.QueryContext(ctx, query, unprepared(args)...))
}

// finds looks at no more than a thousand matches: a plain EXISTS tempts the
// planner into a sequential scan that never ends for a word no document has.
func (postgresEngine) finds(ctx context.Context, q db.Querier, word string, audiences []string) (bool, error) {
	args := []any{tsQuery([]string{word})}
	var found bool
	err := q.QueryRowContext(ctx, `WITH matches AS MATERIALIZED (
			SELECT d.audience FROM search_docs d WHERE d.document @@ to_tsquery('english', $1) LIMIT 1000)
		SELECT EXISTS (SELECT 1 FROM matches WHERE audience IN (`+placeholders(&args, audiences)+`))`, unprepared(args)...).Scan(&found)
	return found, err
}

// unprepared puts the mode that runs a query as an unnamed statement
// before its arguments.
func unprepared(args []any) []any {
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// scanRanked reads the rows of either engine's ranked query.
func scanRanked(rows *sql.Rows, err error) ([]Result, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		var snippet string
		if err := rows.Scan(&r.Kind, &r.ID, &r.Title, &r.URL, &r.ErrorCode, &snippet, &r.Score); err != nil {
			return nil, err
		}
		r.Snippet = mark(snippet)
		out = append(out, r)
	}
	return out, rows.Err()
}
