package docs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

func TestRatings(t *testing.T) {
	f := newFixture(t)
	yes, no := true, false
	h12 := f.create(f.admin, article("H12 explained"))
	r14 := f.create(f.admin, article("R14 explained"))
	ent := article("Enterprise only")
	ent.Audience = search.AudienceEnterprise
	secret := f.create(f.admin, ent)
	ann := f.customer("ann", account.PlanFree)
	ben := f.customer("ben", account.PlanStandard)

	rate := func(actor *helpline.Actor, slug string, in docs.RatingInput) docs.Rating {
		t.Helper()
		r, err := f.svc.RateArticle(f.ctx, actor, slug, in)
		if err != nil {
			t.Fatalf("rate %s: %v", slug, err)
		}
		return r
	}
	first := rate(ann, h12.Slug, docs.RatingInput{Helpful: &no, Comment: "  Did not mention Puma.  "})
	if first.Comment != "Did not mention Puma." || first.UserID != ann.UserID || first.ArticleID != h12.ID {
		t.Errorf("rating: %+v", first)
	}
	// Ann changes her mind: her vote is replaced, not added.
	f.clock.Advance(time.Minute)
	again := rate(ann, h12.Slug, docs.RatingInput{Helpful: &yes, Comment: "Found it further down, thanks"})
	if again.ID != first.ID {
		t.Errorf("a second vote made a new rating: %d, first %d", again.ID, first.ID)
	}
	rate(ben, h12.Slug, docs.RatingInput{Helpful: &no})
	// Two signed-out readers, one voting twice from the same cookie.
	rate(nil, h12.Slug, docs.RatingInput{Helpful: &no, Voter: "cookie-1"})
	rate(nil, h12.Slug, docs.RatingInput{Helpful: &yes, Voter: "cookie-1", Comment: "Clear"})
	rate(nil, h12.Slug, docs.RatingInput{Helpful: &no, Voter: "cookie-2"})
	rate(nil, r14.Slug, docs.RatingInput{Helpful: &yes, Voter: "cookie-2"})
	if n := f.count(`SELECT count(*) FROM article_ratings WHERE voter LIKE '%cookie%'`); n != 0 {
		t.Errorf("%d voter cookies stored as they are", n)
	}

	for _, c := range []struct {
		name  string
		actor *helpline.Actor
		in    docs.RatingInput
		field string
		want  string
	}{
		{"no verdict", ann, docs.RatingInput{Comment: "hmm"}, "helpful", "choose whether the article helped you"},
		{"long comment", ann, docs.RatingInput{Helpful: &yes, Comment: strings.Repeat("x", 2001)}, "comment", "at most 2000"},
		{"no cookie", nil, docs.RatingInput{Helpful: &yes}, "voter", "allow cookies"},
	} {
		_, err := f.svc.RateArticle(f.ctx, c.actor, h12.Slug, c.in)
		if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s: %q, want %q", c.name, c.field, msg, c.want)
		}
	}
	// Articles a reader may not read cannot be rated.
	_, err := f.svc.RateArticle(f.ctx, ann, secret.Slug, docs.RatingInput{Helpful: &yes})
	wantKind(t, err, helpline.KindNotFound)
	_, err = f.svc.RateArticle(f.ctx, ann, "no-such-article", docs.RatingInput{Helpful: &yes})
	wantKind(t, err, helpline.KindNotFound)

	ratings, sum, err := f.svc.FindRatings(f.ctx, f.admin, h12.Slug, helpline.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Helpful != 2 || sum.NotHelpful != 2 || sum.Comments != 2 || sum.Slug != h12.Slug {
		t.Errorf("summary %+v", sum)
	}
	// Newest first; same-time votes in the order they were first cast.
	if len(ratings) != 4 || ratings[0].UserID != 0 || ratings[2].UserName != "ben" || ratings[3].UserName != "ann" {
		t.Errorf("ratings %+v", ratings)
	}
	var annSeen bool
	for _, r := range ratings {
		if r.UserID == ann.UserID {
			annSeen = r.UserName == "ann" && r.Helpful && r.Comment == "Found it further down, thanks"
		}
	}
	if !annSeen {
		t.Errorf("ann's replaced rating not found in %+v", ratings)
	}
	sums, err := f.svc.FindRatingSummaries(f.ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 || sums[0].ArticleID != h12.ID || sums[1].ArticleID != r14.ID || sums[1].Helpful != 1 {
		t.Errorf("least helpful first: %+v", sums)
	}
	_, _, err = f.svc.FindRatings(f.ctx, ann, h12.Slug, helpline.Page{})
	wantKind(t, err, helpline.KindForbidden)
	_, err = f.svc.FindRatingSummaries(f.ctx, nil)
	wantKind(t, err, helpline.KindUnauthorized)
	_, empty, err := f.svc.FindRatings(f.ctx, f.admin, secret.Slug, helpline.Page{})
	if err != nil || empty.Helpful+empty.NotHelpful != 0 {
		t.Errorf("unrated article: %+v %v", empty, err)
	}
}
