package docs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

func TestInstallDefaultsOnce(t *testing.T) {
	f := newFixture(t)
	shipped, err := docs.DefaultArticles()
	if err != nil {
		t.Fatalf("shipped content: %v", err)
	}
	if err := f.svc.InstallDefaults(f.ctx); err != nil {
		t.Fatalf("install: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM articles`); n != len(shipped) {
		t.Fatalf("%d articles installed, %d shipped", n, len(shipped))
	}
	if n := f.count(`SELECT count(*) FROM article_revisions WHERE revision = 1 AND author_id IS NULL AND note = 'Installed with Helpline'`); n != len(shipped) {
		t.Errorf("%d first revisions without author, want %d", n, len(shipped))
	}
	if len(shipped) == 0 {
		t.Skip("no content shipped yet")
	}
	// Every shipped article is in the index as its file says.
	for _, in := range shipped {
		a, err := f.svc.FindArticleBySlug(f.ctx, f.admin, in.Slug)
		if err != nil {
			t.Fatalf("%s: %v", in.Slug, err)
		}
		kind := search.KindDoc
		if a.Section == docs.SectionKnowledgeBase {
			kind = search.KindKB
		}
		if d, ok := f.index.doc(kind, a.ID); !ok || d.URL != a.URL || d.ErrorCode != a.ErrorCode {
			t.Errorf("%s indexed as %+v", a.Slug, d)
		}
	}
	// Edits and deletions stick: installing again changes nothing.
	first := shipped[0]
	edited := first
	edited.Body += "\nLocal note.\n"
	if _, err := f.svc.UpdateArticle(f.ctx, f.admin, first.Slug, edited); err != nil {
		t.Fatal(err)
	}
	last := shipped[len(shipped)-1]
	if err := f.svc.DeleteArticle(f.ctx, f.admin, last.Slug); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.InstallDefaults(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM articles`); n != len(shipped)-1 {
		t.Errorf("after a second install: %d articles, want %d", n, len(shipped)-1)
	}
	a, err := f.svc.FindArticleBySlug(f.ctx, f.admin, first.Slug)
	if err != nil || a.Body != edited.Body || a.Revision != 2 {
		t.Errorf("the edit did not stick: revision %d, %v", a.Revision, err)
	}
}

// TestShippedContent checks the shipped files against the rules an author
// meets in the editor, and the error-code reference's promises.
func TestShippedContent(t *testing.T) {
	shipped, err := docs.DefaultArticles()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	slugs := map[string]bool{}
	for _, in := range shipped {
		if slugs[in.Slug] {
			t.Errorf("slug %s is shipped twice", in.Slug)
		}
		slugs[in.Slug] = true
		if in.ErrorCode != "" {
			if other, dup := codes[in.ErrorCode]; dup {
				t.Errorf("%s is explained by both %s and %s", in.ErrorCode, other, in.Slug)
			}
			codes[in.ErrorCode] = in.Slug
		}
		if in.Status != docs.StatusPublished {
			t.Errorf("%s ships as %s", in.Slug, in.Status)
		}
	}
	if len(shipped) == 0 {
		t.Skip("no content shipped yet")
	}
	for _, code := range []string{"H10", "H11", "H12", "H14", "H18", "H27", "R14"} {
		if codes[code] == "" {
			t.Errorf("no shipped article explains %s", code)
		}
	}
}

// TestInstallDefaultsConcurrently starts two services on one database at
// the same moment, as two processes on one PostgreSQL would: the content
// is installed once.
func TestInstallDefaultsConcurrently(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	accounts := account.NewService(d, nil, account.Options{Hasher: fastHasher})
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			errs[i] = docs.NewService(d, accounts, search.New(d), docs.Options{}).InstallDefaults(ctx)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	shipped, _ := docs.DefaultArticles()
	var n int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(shipped) {
		t.Errorf("%d articles, %d shipped", n, len(shipped))
	}
}

// BenchmarkInstallDefaults measures what every new instance (and every
// application test) pays at start-up: a fresh database per iteration,
// timed from InstallDefaults' call. "no-index" leaves the search index
// out, to tell the docs' share from the index's.
func BenchmarkInstallDefaults(b *testing.B) {
	ctx := context.Background()
	shipped, _ := docs.DefaultArticles()
	for _, c := range []struct {
		name  string
		index func(d *db.DB) search.Index
	}{
		{"index", search.New},
		{"no-index", func(*db.DB) search.Index { return nopIndex{} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportMetric(float64(len(shipped)), "articles")
			for b.Loop() {
				b.StopTimer()
				d := dbtest.Open(b)
				svc := docs.NewService(d, account.NewService(d, nil, account.Options{Hasher: fastHasher}), c.index(d), docs.Options{})
				b.StartTimer()
				if err := svc.InstallDefaults(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type nopIndex struct{}

func (nopIndex) Put(context.Context, db.Querier, search.Doc) error             { return nil }
func (nopIndex) Delete(context.Context, db.Querier, search.Kind, int64) error  { return nil }
func (nopIndex) Search(context.Context, search.Query) ([]search.Result, error) { return nil, nil }

func BenchmarkDefaultArticles(b *testing.B) {
	for b.Loop() {
		if _, err := docs.DefaultArticles(); err != nil {
			b.Fatal(err)
		}
	}
}
