package search

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
)

// explainer runs every query of a search through EXPLAIN first.
type explainer struct {
	t       testing.TB
	tx      *sql.Tx
	dialect db.Dialect
	analyze bool // run the queries: EXPLAIN ANALYZE on PostgreSQL
	plans   []string
}

func (e *explainer) explain(ctx context.Context, query string, args []any) {
	prefix := "EXPLAIN QUERY PLAN "
	if e.dialect == db.Postgres {
		prefix = "EXPLAIN "
		if e.analyze {
			prefix = "EXPLAIN (ANALYZE, BUFFERS) "
		}
	}
	rows, err := e.tx.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		e.t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		switch v := vals[len(vals)-1].(type) {
		case string:
			plan = append(plan, v)
		case []byte:
			plan = append(plan, string(v))
		}
	}
	e.plans = append(e.plans, strings.Join(strings.Fields(query), " ")+"\n    "+strings.Join(plan, "\n    "))
}

func (e *explainer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return e.tx.ExecContext(ctx, query, args...)
}

func (e *explainer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	e.explain(ctx, query, args)
	return e.tx.QueryContext(ctx, query, args...)
}

func (e *explainer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	e.explain(ctx, query, args)
	return e.tx.QueryRowContext(ctx, query, args...)
}

// fullScan matches a plan line that reads a whole search table. (SQLite
// says SCAN for FTS5 too, followed by the constraints FTS5 answers, as in
// "VIRTUAL TABLE INDEX 0:M4" for a MATCH; none means a full scan.)
var fullScan = regexp.MustCompile(`(?m)Seq Scan on search_|SCAN (search_docs|search_terms|d)\b|SCAN search_fts( VIRTUAL TABLE INDEX \d+:)?$`)

// Every query a search runs is answered by an index, on both databases.
// PostgreSQL is told to avoid sequential scans, which it would rightly
// prefer on a table this small: the test is that an index can serve them.
func TestSearchQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	ix := New(d).(*index)
	for i, text := range []string{"H12 - Request timeout", "R14 - Memory quota exceeded", "Deploying with Git"} {
		doc := Doc{Kind: KindDoc, ID: int64(i + 1), Title: text, Body: "The router waits for the app. " + text, Tags: []string{"router"},
			URL: "/docs/x", Audience: AudiencePublic, UpdatedAt: time.Now()}
		if strings.HasPrefix(text, "H12") || strings.HasPrefix(text, "R14") {
			doc.ErrorCode = text[:3]
		}
		if err := ix.Put(ctx, d, doc); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if d.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
	}
	e := &explainer{t: t, tx: tx, dialect: d.Dialect}
	// Error codes, known words, an inflection, a typo, a filter by kind.
	res, err := ix.search(ctx, e, Query{Text: "my app crashed with h12 and a memroy timout", Audiences: []Audience{AudiencePublic, AudienceCustomers}, Kinds: []Kind{KindDoc, KindKB}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) < 2 || res[0].ErrorCode != "H12" || res[0].Corrected == "" {
		t.Fatalf("results %+v", res)
	}
	if len(e.plans) < 5 {
		t.Fatalf("explained %d queries, want the vocabulary, engine, candidates, code and ranked queries:\n%s", len(e.plans), strings.Join(e.plans, "\n"))
	}
	for _, p := range e.plans {
		if fullScan.MatchString(p) {
			t.Errorf("a full scan:\n%s", p)
		}
		if testing.Verbose() {
			t.Log(p)
		}
	}
}
