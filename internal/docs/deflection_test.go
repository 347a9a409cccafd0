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

// ticketFor inserts a bare ticket of actor's organization: the docs
// package only needs the row to exist.
func (f *fixture) ticketFor(actor *helpline.Actor, number int) int64 {
	f.t.Helper()
	ms, err := f.accounts.FindMemberships(f.ctx, actor.UserID)
	if err != nil || len(ms) == 0 {
		f.t.Fatalf("memberships: %v", err)
	}
	var id int64
	err = f.db.QueryRowContext(f.ctx, `INSERT INTO tickets (number, org_id, requester_id, subject, description, environment, category,
		status, priority, original_priority, plan_rank, priority_rank, created_at, updated_at)
		VALUES ($1, $2, $3, 'Help', 'Please help', 'production', 'other', 'new', 'normal', 'normal', 1, 2, $4, $4) RETURNING id`,
		number, ms[0].Org.ID, actor.UserID, f.clock.Now()).Scan(&id)
	if err != nil {
		f.t.Fatalf("insert ticket: %v", err)
	}
	return id
}

func TestDeflectionReport(t *testing.T) {
	f := newFixture(t)
	h12 := f.create(f.admin, article("H12 timeouts"))
	r14 := f.create(f.admin, article("R14 memory"))
	other := f.create(f.admin, article("Custom domains"))
	ann := f.customer("ann", account.PlanFree)
	ben := f.customer("ben", account.PlanStandard)

	start := func(actor *helpline.Actor) string {
		t.Helper()
		token, err := f.svc.StartDeflection(f.ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 32 {
			t.Fatalf("token %q", token)
		}
		return token
	}
	// Suggestions come from the index, which may not find anything yet:
	// record what a suggestion would have shown directly through Suggest's
	// bookkeeping by opening articles, and check the shown counts only
	// when the index works.
	works := searchWorks(t, f)

	// Session 1: Ann reads the H12 article and gives up on her ticket.
	s1 := start(ann)
	if _, err := f.svc.Suggest(f.ctx, ann, "H12 timeouts on checkout", s1); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordOpened(f.ctx, ann, s1, h12.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordOpened(f.ctx, ann, s1, h12.ID); err != nil {
		t.Fatalf("opening twice: %v", err)
	}
	// Session 2: Ben reads H12 and R14, then opens a ticket anyway.
	s2 := start(ben)
	for _, id := range []int64{h12.ID, r14.ID} {
		if err := f.svc.RecordOpened(f.ctx, ben, s2, id); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(5 * time.Minute)
	ticket := f.ticketFor(ben, 1001)
	if err := f.svc.CompleteDeflection(f.ctx, ben, s2, ticket); err != nil {
		t.Fatal(err)
	}
	// Session 3: Ann again, just now: too early to call it deflected.
	f.clock.Advance(40 * time.Minute)
	s3 := start(ann)
	if err := f.svc.RecordOpened(f.ctx, ann, s3, r14.ID); err != nil {
		t.Fatal(err)
	}

	// Sessions belong to their customer.
	wantKind(t, f.svc.RecordOpened(f.ctx, ben, s1, other.ID), helpline.KindNotFound)
	wantKind(t, f.svc.RecordOpened(f.ctx, nil, s1, other.ID), helpline.KindNotFound)
	wantKind(t, f.svc.RecordOpened(f.ctx, ann, "nope", other.ID), helpline.KindNotFound)
	wantKind(t, f.svc.RecordOpened(f.ctx, ann, s1, 999999), helpline.KindNotFound)
	wantKind(t, f.svc.CompleteDeflection(f.ctx, ann, s1, ticket), helpline.KindNotFound) // Ben's ticket
	wantKind(t, f.svc.CompleteDeflection(f.ctx, ben, s1, ticket), helpline.KindNotFound) // Ann's session
	// Someone else's token still gets suggestions, and records nothing.
	if _, err := f.svc.Suggest(f.ctx, ben, "custom domains", s1); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.StartDeflection(f.ctx, nil)
	wantKind(t, err, helpline.KindUnauthorized)
	_, err = f.svc.StartDeflection(f.ctx, f.admin)
	wantKind(t, err, helpline.KindForbidden)

	rows, err := f.svc.FindDeflection(f.ctx, f.admin, t0.Add(-time.Hour), t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]docs.DeflectionRow{}
	for _, r := range rows {
		got[r.Slug] = r
	}
	if r := got[h12.Slug]; r.Opened != 2 || r.Deflected != 1 || r.Tickets != 1 || r.Title != "H12 timeouts" {
		t.Errorf("h12: %+v", r)
	}
	if r := got[r14.Slug]; r.Opened != 2 || r.Deflected != 0 || r.Tickets != 1 {
		t.Errorf("r14: %+v", r)
	}
	if rows[0].Slug != h12.Slug {
		t.Errorf("most deflecting first: %+v", rows)
	}
	if _, ok := got[other.Slug]; ok && !works {
		t.Errorf("an article nobody opened: %+v", got[other.Slug])
	}
	if works && got[h12.Slug].Shown != 1 {
		t.Errorf("h12 shown %d times, want 1", got[h12.Slug].Shown)
	}
	// The window is on the session's start.
	rows, err = f.svc.FindDeflection(f.ctx, f.admin, t0.Add(time.Minute), t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Slug != r14.Slug || rows[0].Opened != 1 {
		t.Errorf("later window: %+v", rows)
	}
	_, err = f.svc.FindDeflection(f.ctx, ann, t0, t0.Add(time.Hour))
	wantKind(t, err, helpline.KindForbidden)
	_, err = f.svc.FindDeflection(f.ctx, f.admin, t0, t0)
	if msg := fieldErr(t, err, "to"); msg == "" {
		t.Error("empty window accepted")
	}
	var query string
	if err := f.db.QueryRowContext(f.ctx, `SELECT query FROM deflection_sessions WHERE token = $1`, s1).Scan(&query); err != nil || query != "H12 timeouts on checkout" {
		t.Errorf("session query %q, %v", query, err)
	}
}

func TestSuggest(t *testing.T) {
	f := newFixture(t)
	ent := article("Preparing for a launch")
	ent.Audience = search.AudienceEnterprise
	f.create(f.admin, ent)
	f.create(f.admin, article("Launching a new app"))
	free := f.customer("free", account.PlanFree)

	res, err := f.svc.Suggest(f.ctx, free, "   ", "")
	if err != nil || len(res) != 0 {
		t.Errorf("blank text: %v %v", res, err)
	}
	long := "launch " + strings.Repeat("préparation ", 100)
	if _, err := f.svc.Suggest(f.ctx, free, long, ""); err != nil {
		t.Fatal(err)
	}
	q := f.index.lastQuery()
	if len([]rune(q.Text)) > 300 || !strings.HasPrefix(q.Text, "launch préparation") || strings.HasSuffix(q.Text, " ") {
		t.Errorf("suggest searched %q (%d runes)", q.Text, len([]rune(q.Text)))
	}
	if q.Limit != 5 || !slices.Equal(q.Kinds, []search.Kind{search.KindDoc, search.KindKB}) ||
		!slices.Equal(q.Audiences, []search.Audience{search.AudiencePublic, search.AudienceCustomers}) {
		t.Errorf("suggest query %+v", q)
	}
	if searchWorks(t, f) {
		res, err := f.svc.Suggest(f.ctx, free, "launch", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Title == "Preparing for a launch" {
				t.Error("a free customer was shown an enterprise article")
			}
		}
		if len(res) == 0 {
			t.Error("no suggestion for launch")
		}
	}
}
