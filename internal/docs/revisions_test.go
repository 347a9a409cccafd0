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

func TestRevisionsRestoreAndConflict(t *testing.T) {
	f := newFixture(t)
	ada := f.staff("ada", helpline.RoleAgent)
	bob := f.staff("bob", helpline.RoleCSA)
	in := article("Scaling dynos")
	in.Body = "line one\nline two\n"
	a := f.create(ada, in)

	// Ada saves revision 2 from revision 1.
	in.Body = "line one\nline 2\nline three\n"
	in.Note, in.BaseRevision = "Fix the second line", 1
	a2, err := f.svc.UpdateArticle(f.ctx, ada, a.Slug, in)
	if err != nil {
		t.Fatal(err)
	}
	if a2.Revision != 2 || a2.AuthorID != ada.UserID {
		t.Fatalf("after save: revision %d, author %d", a2.Revision, a2.AuthorID)
	}
	// Bob, who also opened revision 1, must not overwrite it silently.
	stale := in
	stale.Body, stale.BaseRevision = "bob's version\n", 1
	_, err = f.svc.UpdateArticle(f.ctx, bob, a.Slug, stale)
	wantKind(t, err, helpline.KindConflict)
	if !strings.Contains(err.Error(), "Reload") || !strings.Contains(err.Error(), "revision 2") {
		t.Errorf("conflict message does not say what to do: %v", err)
	}
	// Saving the same content again is not a new revision.
	same, err := f.svc.UpdateArticle(f.ctx, bob, a.Slug, in2(in, 2))
	if err != nil || same.Revision != 2 {
		t.Fatalf("unchanged save: revision %d, %v", same.Revision, err)
	}
	// Bob renames the slug and changes the title in revision 3.
	r3 := in2(in, 2)
	r3.Title, r3.Slug, r3.Note = "Scaling dynos up and out", "scaling-dynos-up-and-out", ""
	a3, err := f.svc.UpdateArticle(f.ctx, bob, a.Slug, r3)
	if err != nil {
		t.Fatal(err)
	}
	if a3.Revision != 3 || a3.Slug != "scaling-dynos-up-and-out" || a3.AuthorID != ada.UserID {
		t.Fatalf("revision 3: %+v", a3)
	}
	_, err = f.svc.FindArticleBySlug(f.ctx, nil, a.Slug)
	wantKind(t, err, helpline.KindNotFound)

	revs, err := f.svc.FindRevisions(f.ctx, ada, a3.Slug)
	if err != nil {
		t.Fatal(err)
	}
	var nums []int
	for _, r := range revs {
		nums = append(nums, r.Revision)
	}
	if !slices.Equal(nums, []int{3, 2, 1}) {
		t.Fatalf("revisions %v", nums)
	}
	if revs[0].AuthorName != "bob" || revs[0].Note != "Edited" || revs[1].Note != "Fix the second line" || revs[2].Note != "Created" ||
		revs[2].Body != "line one\nline two\n" || revs[2].AuthorID != ada.UserID {
		t.Errorf("revision details: %+v", revs)
	}

	// The diff between revisions 1 and 2.
	r1, err := f.svc.FindRevision(f.ctx, ada, a3.Slug, 1)
	if err != nil {
		t.Fatal(err)
	}
	diff := docs.Diff(r1.Body, revs[1].Body)
	want := []docs.DiffLine{{Op: " ", Text: "line one"}, {Op: "-", Text: "line two"}, {Op: "+", Text: "line 2"}, {Op: "+", Text: "line three"}}
	if !slices.Equal(diff, want) {
		t.Errorf("diff = %v, want %v", diff, want)
	}
	_, err = f.svc.FindRevision(f.ctx, ada, a3.Slug, 9)
	wantKind(t, err, helpline.KindNotFound)

	// Restoring revision 1 is revision 4, with revision 1's content and
	// the current slug.
	f.clock.Advance(time.Minute)
	a4, err := f.svc.RestoreRevision(f.ctx, bob, a3.Slug, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a4.Revision != 4 || a4.Body != "line one\nline two\n" || a4.Title != "Scaling dynos" || a4.Slug != a3.Slug {
		t.Errorf("restored: %+v", a4)
	}
	r4, err := f.svc.FindRevision(f.ctx, ada, a4.Slug, 4)
	if err != nil || r4.Note != "Restored revision 1" || r4.AuthorID != bob.UserID {
		t.Errorf("restore revision: %+v, %v", r4, err)
	}
	if d, _ := f.index.doc(search.KindDoc, a.ID); d.Title != "Scaling dynos" || d.URL != "/docs/"+a4.Slug {
		t.Errorf("the index did not follow the restore: %+v", d)
	}

	// Revisions are for staff.
	cust := f.customer("c", account.PlanEnterprise)
	_, err = f.svc.FindRevisions(f.ctx, cust, a4.Slug)
	wantKind(t, err, helpline.KindForbidden)
	_, err = f.svc.RestoreRevision(f.ctx, nil, a4.Slug, 1)
	wantKind(t, err, helpline.KindUnauthorized)
}

// in2 is in saved from revision base, without a note.
func in2(in docs.ArticleInput, base int) docs.ArticleInput {
	in.BaseRevision, in.Note = base, ""
	return in
}

func TestPutArticle(t *testing.T) {
	f := newFixture(t)
	in := article("Imported guide")
	in.Slug = "imported-guide"
	a, changed, err := f.svc.PutArticle(f.ctx, account.CLI(), in)
	if err != nil || !changed || a.Revision != 1 || a.AuthorID != 0 {
		t.Fatalf("first import: %+v %v %v", a, changed, err)
	}
	a, changed, err = f.svc.PutArticle(f.ctx, account.CLI(), in)
	if err != nil || changed || a.Revision != 1 {
		t.Fatalf("unchanged import: revision %d, changed %v, %v", a.Revision, changed, err)
	}
	in.Body += "More.\n"
	a, changed, err = f.svc.PutArticle(f.ctx, f.admin, in)
	if err != nil || !changed || a.Revision != 2 {
		t.Fatalf("changed import: revision %d, changed %v, %v", a.Revision, changed, err)
	}
	revs, _ := f.svc.FindRevisions(f.ctx, f.admin, a.Slug)
	if revs[0].Note != "Imported" {
		t.Errorf("note %q", revs[0].Note)
	}
	in.Title = ""
	_, _, err = f.svc.PutArticle(f.ctx, f.admin, in)
	if msg := fieldErr(t, err, "title"); msg != "is required" {
		t.Errorf("title: %q", msg)
	}
	_, _, err = f.svc.PutArticle(f.ctx, f.customer("c", account.PlanPremier), in)
	wantKind(t, err, helpline.KindForbidden)
}
