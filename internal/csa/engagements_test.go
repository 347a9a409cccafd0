package csa_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// A solutions architect takes a request, schedules a meeting, works it,
// delivers a report and closes it; the customer follows along and the
// lifecycle refuses steps out of order.
func TestEngagementLifecycle(t *testing.T) {
	f := newFixture(t)
	e := f.request(t, eventRequest(t0, 30))

	// Support agents read but do not own or move engagements.
	if _, err := f.svc.Assign(f.ctx, f.agent, e.ID, f.agent.UserID); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("agent assigns: %v", err)
	}
	if _, err := f.svc.Assign(f.ctx, f.architect, e.ID, f.agent.UserID); helpline.KindOf(err) != helpline.KindInvalid {
		t.Fatalf("an agent as owner: %v", err)
	}
	if _, err := f.svc.Transition(f.ctx, f.owner, e.ID, csa.StateScheduled, ""); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("customer moves the state: %v", err)
	}
	e, err := f.svc.Assign(f.ctx, f.architect, e.ID, f.architect.UserID)
	if err != nil || e.OwnerID == nil || e.OwnerName != "casey" {
		t.Fatalf("assign: %+v, %v", e, err)
	}

	// The first meeting schedules the engagement.
	m, err := f.svc.AddMeeting(f.ctx, f.architect, e.ID, csa.MeetingInput{Title: "Kick-off", StartsAt: "2026-03-10T10:00", TimeZone: "Europe/Berlin", DurationMinutes: 45})
	if err != nil {
		t.Fatal(err)
	}
	if !m.StartsAt.Equal(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("meeting starts %s, want 09:00 UTC", m.StartsAt)
	}
	if _, err := f.svc.AddMeeting(f.ctx, f.architect, e.ID, csa.MeetingInput{Title: "x", StartsAt: "tomorrow", DurationMinutes: 1000}); err == nil {
		t.Error("a bad meeting was accepted")
	} else if he := wantKind(t, err, helpline.KindInvalid); he.Fields["title"] == "" || he.Fields["starts_at"] == "" || he.Fields["duration_minutes"] == "" {
		t.Errorf("meeting errors %v", he.Fields)
	}
	m, err = f.svc.UpdateMeeting(f.ctx, f.architect, e.ID, m.ID, csa.MeetingInput{Title: "Kick-off", StartsAt: "2026-03-10T10:00", TimeZone: "Europe/Berlin", DurationMinutes: 45,
		Notes: "Agreed: load test at 2x the expected peak; pgbouncer on the web dynos."})
	if err != nil || !strings.Contains(m.Notes, "pgbouncer") {
		t.Fatalf("meeting notes: %+v, %v", m, err)
	}
	e, _ = f.svc.FindEngagementByID(f.ctx, f.owner, e.ID)
	if e.State != csa.StateScheduled {
		t.Fatalf("state after the first meeting %s", e.State)
	}

	if _, err := f.svc.Transition(f.ctx, f.architect, e.ID, csa.StateDelivered, ""); helpline.KindOf(err) != helpline.KindConflict {
		t.Fatalf("scheduled → delivered: %v", err)
	}
	if _, err := f.svc.Transition(f.ctx, f.architect, e.ID, "done", ""); helpline.KindOf(err) != helpline.KindInvalid {
		t.Fatalf("unknown state: %v", err)
	}
	for _, st := range []csa.State{csa.StateInProgress, csa.StateDelivered} {
		if e, err = f.svc.Transition(f.ctx, f.architect, e.ID, st, ""); err != nil || e.State != st {
			t.Fatalf("→ %s: %v", st, err)
		}
	}

	// Deliverables: a published article, and a file only the
	// organization can download.
	art, err := f.env.App.Docs.CreateArticle(f.ctx, f.architect, docs.ArticleInput{Title: "Acme launch review", Section: docs.SectionEnterprise,
		Audience: search.AudienceEnterprise, Status: docs.StatusPublished, Summary: "What we found.", Body: "## Findings\n\nScale the web dynos before 9:00."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddArticleDeliverable(f.ctx, f.architect, e.ID, csa.DeliverableInput{ArticleSlug: "no-such-article"}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("unknown article: %v", err)
	}
	d1, err := f.svc.AddArticleDeliverable(f.ctx, f.architect, e.ID, csa.DeliverableInput{ArticleSlug: art.Slug})
	if err != nil || d1.Kind != "article" || d1.Title != "Acme launch review" || d1.ArticleURL != "/docs/"+art.Slug {
		t.Fatalf("article deliverable %+v, %v", d1, err)
	}
	d2, err := f.svc.AddFileDeliverable(f.ctx, f.architect, e.ID, "Load test plan", "plan.txt", "text/plain; charset=utf-8", strings.NewReader("step 1: ramp to 10k rps"))
	if err != nil || d2.Kind != "file" || d2.Size != 23 {
		t.Fatalf("file deliverable %+v, %v", d2, err)
	}
	_, file, err := f.svc.OpenDeliverable(f.ctx, f.dev, d2.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(file)
	file.Close()
	if string(b) != "step 1: ramp to 10k rps" {
		t.Errorf("downloaded %q", b)
	}
	if _, _, err := f.svc.OpenDeliverable(f.ctx, f.standard, d2.ID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("another organization downloads: %v", err)
	}

	// Messages: the customer writes, the owner is emailed; an internal
	// note stays with staff.
	if _, err := f.svc.Comment(f.ctx, f.dev, e.ID, csa.CommentInput{Body: "Thanks! Can we add a second load test?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Comment(f.ctx, f.dev, e.ID, csa.CommentInput{Body: "psst", Internal: true}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("customer internal note: %v", err)
	}
	if _, err := f.svc.Comment(f.ctx, f.architect, e.ID, csa.CommentInput{Body: "Their DB plan is too small for 5k rps.", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM mail_outbox WHERE to_email = 'casey@helpline.test' AND subject LIKE '%New message from dev%'`); n != 1 {
		t.Errorf("%d emails of the customer's message to the owner", n)
	}
	cust, err := f.svc.FindEngagement(f.ctx, f.dev, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cust.Activity {
		if a.Internal || strings.Contains(a.Body, "too small") {
			t.Errorf("customer sees the internal note %+v", a)
		}
	}
	if len(cust.Meetings) != 1 || len(cust.Deliverables) != 2 {
		t.Errorf("customer sees %d meetings, %d deliverables", len(cust.Meetings), len(cust.Deliverables))
	}
	staff, _ := f.svc.FindEngagement(f.ctx, f.architect, e.ID)
	if len(staff.Activity) != len(cust.Activity)+1 {
		t.Errorf("staff see %d steps, the customer %d", len(staff.Activity), len(cust.Activity))
	}

	// Closing needs a reason; closed is the end.
	if _, err := f.svc.Transition(f.ctx, f.architect, e.ID, csa.StateClosed, "done"); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("close without a reason: %v", err)
	}
	e, err = f.svc.Transition(f.ctx, f.architect, e.ID, csa.StateClosed, "Launch went well; report delivered.")
	if err != nil || e.ClosedAt == nil {
		t.Fatalf("close: %+v, %v", e, err)
	}
	if _, err := f.svc.Comment(f.ctx, f.dev, e.ID, csa.CommentInput{Body: "One more thing"}); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("customer writes on a closed engagement: %v", err)
	}
	if open, _ := f.svc.FindEngagements(f.ctx, f.architect, csa.Filter{State: "open"}); len(open) != 0 {
		t.Errorf("closed engagement in the open queue")
	}
	if _, err := f.svc.FindEngagements(f.ctx, f.architect, csa.Filter{State: "finished"}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("unknown filter state: %v", err)
	}
}

// The customer may withdraw a request nobody has started on.
func TestWithdraw(t *testing.T) {
	f := newFixture(t)
	e := f.request(t, eventRequest(t0, 30))
	if _, err := f.svc.Withdraw(f.ctx, f.standard, e.ID, ""); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("another organization withdraws: %v", err)
	}
	e, err := f.svc.Withdraw(f.ctx, f.dev, e.ID, "")
	if err != nil || e.State != csa.StateClosed {
		t.Fatalf("withdraw: %+v, %v", e, err)
	}
	// Closed engagements send no reminders.
	f.clock.Set(t0.AddDate(0, 0, 29))
	if n, err := f.svc.SendDueReminders(f.ctx); err != nil || n != 0 {
		t.Errorf("reminders of a withdrawn engagement: %d, %v", n, err)
	}
}

// An engagement that turns out to be break/fix becomes a ticket of the
// requester, and a ticket that is really an architecture question becomes
// an engagement; both keep where they came from.
func TestConvert(t *testing.T) {
	f := newFixture(t)
	in := csa.Request{Kind: csa.KindPerformance, NotBreakFix: true, Performance: &csa.PerformanceInput{
		Apps: []string{"acme-api"}, Symptoms: "p95 latency doubled over the last two weeks on the search endpoint.",
		Metrics: "p95 420ms → 900ms; db time 70%", Since: "2026-02-15T00:00:00Z"}}
	e := f.request(t, in)

	if _, err := f.svc.ConvertToTicket(f.ctx, f.architect, e.ID, csa.ToTicketInput{Priority: ticket.Urgent, Note: "This is an outage after all."}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Fatalf("convert as urgent: %v", err)
	}
	tk, err := f.svc.ConvertToTicket(f.ctx, f.architect, e.ID, csa.ToTicketInput{Note: "Your logs show H12s from a stuck query: Support will fix it."})
	if err != nil {
		t.Fatal(err)
	}
	if tk.RequesterID != f.owner.UserID || tk.Priority != ticket.High || tk.AppName != "acme-api" || !strings.Contains(tk.Description, "p95 latency doubled") ||
		!strings.Contains(tk.Description, "stuck query") {
		t.Errorf("ticket %+v", tk)
	}
	events, err := f.env.App.Tickets.FindEvents(f.ctx, f.owner, tk.ID)
	if err != nil || len(events) == 0 || events[0].Data["opened_by"] != "casey" {
		t.Errorf("ticket history %+v, %v", events, err)
	}
	e, _ = f.svc.FindEngagementByID(f.ctx, f.owner, e.ID)
	if e.State != csa.StateClosed || e.TicketNumber == nil || *e.TicketNumber != tk.Number {
		t.Errorf("engagement after converting %+v", e)
	}
	if _, err := f.svc.ConvertToTicket(f.ctx, f.architect, e.ID, csa.ToTicketInput{Note: "Once more, with feeling."}); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("converting twice: %v", err)
	}

	// And back: an agent hands a ticket about a design to the CSA team.
	q, err := f.env.App.Tickets.CreateTicket(f.ctx, f.dev, ticket.NewTicket{Subject: "How should we shard our Postgres?", Description: "We expect 10x data next year; what design fits?",
		Priority: ticket.Low, Environment: ticket.Production, Category: "data"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConvertTicket(f.ctx, f.agent, q.ID, csa.FromTicketInput{Kind: "migration", Note: "short"}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Fatalf("bad kind and note: %v", err)
	}
	back, err := f.svc.ConvertTicket(f.ctx, f.agent, q.ID, csa.FromTicketInput{Kind: csa.KindArchitecture, Note: "A design question: our solutions architects will plan this with you."})
	if err != nil {
		t.Fatal(err)
	}
	if back.FromTicketNumber == nil || *back.FromTicketNumber != q.Number || back.RequesterID != f.dev.UserID || back.OwnerID != nil ||
		!strings.Contains(back.Summary, "10x data") || back.Title != "Architecture review: How should we shard our Postgres?" {
		t.Errorf("engagement from the ticket %+v", back)
	}
	q, _ = f.env.App.Tickets.FindTicketByID(f.ctx, f.dev, q.ID)
	if q.Status != ticket.StatusSolved {
		t.Errorf("ticket status %s, want solved", q.Status)
	}
	comments, _ := f.env.App.Tickets.FindComments(f.ctx, f.dev, q.ID)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "solutions architects will plan") {
		t.Errorf("the customer's view of the hand-off %+v", comments)
	}
	// One email for the reply and one for "solved"; the new ticket does not
	// pass through open on the way.
	if n := f.count(t, `SELECT count(*) FROM mail_outbox WHERE ticket_id = $1 AND to_email = 'dev@acme.test'`, q.ID); n != 2 {
		t.Errorf("%d emails to the customer about the hand-off, want 2", n)
	}
	if _, err := f.svc.ConvertTicket(f.ctx, f.agent, q.ID, csa.FromTicketInput{Kind: csa.KindArchitecture, Note: "And once again please."}); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("converting a solved ticket: %v", err)
	}

	// Standard plans have no engagements.
	st, err := f.env.App.Tickets.CreateTicket(f.ctx, f.standard, ticket.NewTicket{Subject: "Design help", Description: "How do we scale our workers?",
		Priority: ticket.Low, Environment: ticket.Production})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConvertTicket(f.ctx, f.agent, st.ID, csa.FromTicketInput{Kind: csa.KindArchitecture, Note: "Our CSAs can help with this."}); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("standard plan ticket: %v", err)
	}
}

// Reminders go out a week and a day before the event, once each, to the
// organization's notification center and by email; an event requested
// five days ahead gets only the day reminder.
func TestReminders(t *testing.T) {
	f := newFixture(t)
	e := f.request(t, eventRequest(t0, 10))
	soon := f.request(t, eventRequest(t0, 5))
	if d, _ := f.svc.FindEngagement(f.ctx, f.owner, soon.ID); len(d.Reminders) != 1 || d.Reminders[0].Kind != "day" {
		t.Errorf("reminders of an event five days ahead: %+v", d.Reminders)
	}
	if n, err := f.svc.SendDueReminders(f.ctx); err != nil || n != 0 {
		t.Fatalf("nothing due yet: %d, %v", n, err)
	}
	f.clock.Set(e.EventAt.Add(-7*24*time.Hour + time.Minute))
	if n, err := f.svc.SendDueReminders(f.ctx); err != nil || n != 1 {
		t.Fatalf("week reminder: %d, %v", n, err)
	}
	if n, err := f.svc.SendDueReminders(f.ctx); err != nil || n != 0 {
		t.Fatalf("sent twice: %d, %v", n, err)
	}
	notices, _, err := f.env.App.Status.FindNotices(f.ctx, f.dev, false, helpline.Page{})
	if err != nil || len(notices) != 1 || !strings.Contains(notices[0].Title, "in a week") {
		t.Fatalf("the colleague's notices %+v, %v", notices, err)
	}
	if n := f.count(t, `SELECT count(*) FROM mail_outbox WHERE subject LIKE '%Reminder%' AND to_email IN ('owner@acme.test', 'casey@helpline.test')`); n != 2 {
		t.Errorf("%d reminder emails to the requester and the CSA team, want 2", n)
	}
	d, _ := f.svc.FindEngagement(f.ctx, f.owner, e.ID)
	if d.Reminders[0].SentAt == nil || d.Reminders[1].SentAt != nil {
		t.Errorf("reminders after the first %+v", d.Reminders)
	}
	f.clock.Set(soon.EventAt.Add(-23 * time.Hour))
	if n, err := f.svc.SendDueReminders(f.ctx); err != nil || n != 1 {
		t.Fatalf("day reminder of the nearer event: %d, %v", n, err)
	}
	// Checked only after the event began (the sweep was down), the day
	// reminder is dropped rather than sent late.
	f.clock.Set(e.EventAt.Add(time.Hour))
	if n, err := f.svc.SendDueReminders(f.ctx); err != nil || n != 0 {
		t.Fatalf("a reminder after the event: %d, %v", n, err)
	}
}

// The staff calendar shows what is coming: customers' events, engagement
// meetings and scheduled maintenance, soonest first.
func TestCalendar(t *testing.T) {
	f := newFixture(t)
	e := f.request(t, eventRequest(t0, 20))
	if _, err := f.svc.AddMeeting(f.ctx, f.architect, e.ID, csa.MeetingInput{Title: "Capacity review", StartsAt: t0.AddDate(0, 0, 3).Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	f.request(t, eventRequest(t0, 90)) // outside the range
	entries, err := f.svc.FindCalendar(f.ctx, f.agent, t0, t0.AddDate(0, 0, 30))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Kind != "meeting" || entries[1].Kind != "event" || entries[1].Title != "Spring launch" ||
		!strings.Contains(entries[1].Detail, "5,000 rps") || entries[1].URL != csa.Path(e.ID) {
		t.Fatalf("calendar %+v", entries)
	}
	if _, err := f.svc.FindCalendar(f.ctx, f.owner, t0, t0.AddDate(0, 0, 30)); helpline.KindOf(err) != helpline.KindForbidden {
		t.Errorf("customer reads the staff calendar: %v", err)
	}
	if _, err := f.svc.FindCalendar(f.ctx, f.agent, t0, t0); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("empty range: %v", err)
	}
}

// Collections: the CSA team arranges articles; enterprise customers read
// the published ones in that order.
func TestCollections(t *testing.T) {
	f := newFixture(t)
	var slugs []string
	for i, title := range []string{"Load testing before a launch", "Connection pooling", "Autoscaling web dynos"} {
		st := docs.StatusPublished
		if i == 2 {
			st = docs.StatusDraft
		}
		a, err := f.env.App.Docs.CreateArticle(f.ctx, f.architect, docs.ArticleInput{Title: title, Section: docs.SectionEnterprise,
			Audience: search.AudienceEnterprise, Status: st, Summary: "For launches.", Body: "Text of " + title})
		if err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, a.Slug)
	}
	if _, err := f.svc.CreateCollection(f.ctx, f.agent, csa.CollectionInput{Title: "Preparing for a launch"}); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("agent creates: %v", err)
	}
	c, err := f.svc.CreateCollection(f.ctx, f.architect, csa.CollectionInput{Title: "Preparing for a launch", Description: "Start here four weeks ahead."})
	if err != nil || c.Slug != "preparing-for-a-launch" {
		t.Fatalf("create %+v, %v", c, err)
	}
	if c2, err := f.svc.CreateCollection(f.ctx, f.architect, csa.CollectionInput{Title: "Preparing for a launch"}); err != nil || c2.Slug != "preparing-for-a-launch-2" {
		t.Errorf("same title: %+v, %v", c2, err)
	}
	for _, s := range slugs {
		if c, err = f.svc.AddItem(f.ctx, f.architect, c.ID, csa.ItemInput{ArticleSlug: s, Note: "Read first"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.AddItem(f.ctx, f.architect, c.ID, csa.ItemInput{ArticleSlug: slugs[0]}); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("added twice: %v", err)
	}
	if _, err := f.svc.AddItem(f.ctx, f.architect, c.ID, csa.ItemInput{ArticleSlug: "nope"}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("unknown article: %v", err)
	}
	if c, err = f.svc.MoveItem(f.ctx, f.architect, c.ID, c.Items[1].ArticleID, -1); err != nil {
		t.Fatal(err)
	}
	if got := []string{c.Items[0].Title, c.Items[1].Title, c.Items[2].Title}; got[0] != "Connection pooling" || got[1] != "Load testing before a launch" {
		t.Errorf("order after moving up: %v", got)
	}
	// The customer does not see the draft, nor the empty second collection.
	mine, err := f.svc.FindCollections(f.ctx, f.dev)
	if err != nil || len(mine) != 1 || len(mine[0].Items) != 2 || mine[0].Items[0].Title != "Connection pooling" {
		t.Fatalf("the customer's collections %+v, %v", mine, err)
	}
	res, err := f.svc.FindResources(f.ctx, f.dev)
	if err != nil || len(res) != 2 {
		t.Errorf("the customer's resources: %d, %v", len(res), err)
	}
	if c, err = f.svc.RemoveItem(f.ctx, f.architect, c.ID, c.Items[0].ArticleID); err != nil || len(c.Items) != 2 {
		t.Fatalf("remove: %+v, %v", c.Items, err)
	}
	if err := f.svc.DeleteCollection(f.ctx, f.architect, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.FindCollection(f.ctx, f.architect, c.ID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("deleted collection: %v", err)
	}
}

// A role change cannot leave a ticket with a solutions architect or an
// engagement with a support agent.
func TestRoleChangeKeepsTheBoundary(t *testing.T) {
	f := newFixture(t)
	tk, err := f.env.App.Tickets.CreateTicket(f.ctx, f.dev, ticket.NewTicket{Subject: "Deploy fails", Description: "Our build stopped working today.",
		Priority: ticket.Normal, Environment: ticket.Production})
	if err != nil {
		t.Fatal(err)
	}
	assignee := f.agent.UserID
	if _, err := f.env.App.Tickets.UpdateTicket(f.ctx, f.agent, tk.ID, ticket.Update{AssigneeID: &assignee}); err != nil {
		t.Fatal(err)
	}
	if err := f.env.App.Accounts.ChangeStaffRole(f.ctx, f.admin, f.agent.UserID, helpline.RoleCSA); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("agent with an open ticket becomes a CSA: %v", err)
	}
	e := f.request(t, eventRequest(t0, 30))
	if _, err := f.svc.Assign(f.ctx, f.architect, e.ID, f.architect.UserID); err != nil {
		t.Fatal(err)
	}
	if err := f.env.App.Accounts.ChangeStaffRole(f.ctx, f.admin, f.architect.UserID, helpline.RoleAgent); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("CSA owning an engagement becomes an agent: %v", err)
	}
	if err := f.env.App.Accounts.ChangeStaffRole(f.ctx, f.admin, f.architect.UserID, helpline.RoleAdmin); err != nil {
		t.Errorf("CSA becomes an admin: %v", err)
	}
}

// The event moves: the customer edits the request, the reminders follow
// the new date and the CSA team hears of it. A CSA fills in the form of an
// engagement that came from a ticket, which puts it on the calendar.
func TestUpdateRequest(t *testing.T) {
	f := newFixture(t)
	e := f.request(t, eventRequest(t0, 30))
	moved := eventRequest(t0, 40)
	moved.Event.Name = "Spring launch, take two"
	e2, err := f.svc.UpdateRequest(f.ctx, f.dev, e.ID, moved)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Title != "Event preparation: Spring launch, take two" || !e2.EventAt.After(*e.EventAt) || e2.Kind != csa.KindEvent {
		t.Fatalf("after the edit %+v", e2)
	}
	d, _ := f.svc.FindEngagement(f.ctx, f.owner, e.ID)
	if len(d.Reminders) != 2 || !d.Reminders[0].DueAt.Equal(e2.EventAt.Add(-7*24*time.Hour)) {
		t.Errorf("reminders after the move %+v", d.Reminders)
	}
	last := d.Activity[len(d.Activity)-1]
	if last.Kind != "details_updated" || last.Data["starts_at"] == nil || last.Data["from"] == nil {
		t.Errorf("history %+v", last)
	}
	if n := f.count(t, `SELECT count(*) FROM mail_outbox WHERE to_email = 'casey@helpline.test' AND subject LIKE '%Request updated%'`); n != 1 {
		t.Errorf("%d emails of the edit to the CSA team", n)
	}

	perf := csa.Request{Kind: csa.KindPerformance, Performance: &csa.PerformanceInput{Apps: []string{"acme-api"}, Symptoms: strings.Repeat("slow ", 5), Metrics: "p95 1s", Since: "2026-01-01T00:00:00Z"}}
	if _, err := f.svc.UpdateRequest(f.ctx, f.dev, e.ID, perf); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("changing the kind: %v", err)
	}
	if _, err := f.svc.UpdateRequest(f.ctx, f.standard, e.ID, moved); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("another organization edits: %v", err)
	}
	if _, err := f.svc.UpdateRequest(f.ctx, f.agent, e.ID, moved); helpline.KindOf(err) != helpline.KindForbidden {
		t.Errorf("a support agent edits: %v", err)
	}
	past := eventRequest(t0, -1)
	if _, err := f.svc.UpdateRequest(f.ctx, f.dev, e.ID, past); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("moving the event into the past: %v", err)
	}

	// From a ticket, without a form: the CSA fills it in.
	q, err := f.env.App.Tickets.CreateTicket(f.ctx, f.dev, ticket.NewTicket{Subject: "Black Friday", Description: "We expect 10x traffic on Black Friday.",
		Priority: ticket.Low, Environment: ticket.Production})
	if err != nil {
		t.Fatal(err)
	}
	conv, err := f.svc.ConvertTicket(f.ctx, f.architect, q.ID, csa.FromTicketInput{Kind: csa.KindEvent, Note: "Event preparation is what our CSAs do."})
	if err != nil || conv.Event != nil || conv.OwnerID == nil {
		t.Fatalf("converted %+v, %v", conv, err)
	}
	filled, err := f.svc.UpdateRequest(f.ctx, f.architect, conv.ID, eventRequest(t0, 20))
	if err != nil || filled.Event == nil || filled.EventAt == nil {
		t.Fatalf("filled in %+v, %v", filled, err)
	}
	cal, _ := f.svc.FindCalendar(f.ctx, f.agent, t0, t0.AddDate(0, 0, 25))
	if len(cal) != 1 || cal[0].ID != conv.ID {
		t.Errorf("calendar %+v", cal)
	}

	// Delivered work is the customer's to read, not to edit.
	for _, st := range []csa.State{csa.StateScheduled, csa.StateInProgress, csa.StateDelivered} {
		if _, err := f.svc.Transition(f.ctx, f.architect, e.ID, st, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.UpdateRequest(f.ctx, f.dev, e.ID, moved); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("editing delivered work: %v", err)
	}
}
