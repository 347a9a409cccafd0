package status_test

import (
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestTicketLinking(t *testing.T) {
	f := newFixture(t)
	p := f.platform()
	acme := f.org("Acme")
	wile := f.customer("wile", acme)
	eu := f.app(acme, "acme-web", "eu")
	us := f.app(acme, "acme-api", "us")
	globex := f.org("Globex")
	hank := f.customer("hank", globex)

	inc := f.incident(status.IncidentInput{Name: "Postgres EU degraded", Components: []status.ComponentChange{
		{ComponentID: p.postgresEU.ID, Status: status.DegradedPerformance}}})
	other := f.incident(status.IncidentInput{Name: "Redis latency", Components: []status.ComponentChange{
		{ComponentID: p.redis.ID, Status: status.DegradedPerformance}}})
	done := f.incident(status.IncidentInput{Name: "Old Postgres outage", Components: []status.ComponentChange{
		{ComponentID: p.postgresEU.ID, Status: status.MajorOutage}}})
	f.post(done.ID, status.UpdateInput{Status: status.Resolved})

	byKeyword := f.ticket(wile, "Database timeouts", "Our POSTGRES queries time out since this morning.", us.ID)
	byName := f.ticket(hank, "Question", "Is postgres (eu) slow today? We see latency.", 0)
	byRegion := f.ticket(wile, "Slow pages", "Our pages are slow since an hour.", eu.ID)
	unrelated := f.ticket(hank, "Billing", "Please send the invoice as a PDF; postgresql is fine.", 0)
	redisToo := f.ticket(hank, "Redis and database", "Redis and the database both feel slow.", 0)

	linked, err := f.svc.FindLinkedTickets(f.ctx, f.agent, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[int64]string{}
	for _, l := range linked {
		reasons[l.TicketID] = l.Reason
	}
	want := map[int64]string{
		byKeyword.ID: `mentions "postgres" (Data: Postgres (EU))`,
		byName.ID:    "mentions Data: Postgres (EU)",
		byRegion.ID:  "app acme-web runs in eu (Data: Postgres (EU))",
		redisToo.ID:  `mentions "database" (Data: Postgres (EU))`,
	}
	if len(reasons) != len(want) {
		t.Fatalf("linked %v, want %v", reasons, want)
	}
	for id, r := range want {
		if reasons[id] != r {
			t.Errorf("ticket %d: reason %q, want %q", id, reasons[id], r)
		}
	}
	if _, ok := reasons[unrelated.ID]; ok {
		t.Error("a ticket mentioning postgresql (not the word postgres) was linked")
	}
	if l, _ := f.svc.FindLinkedTickets(f.ctx, f.agent, other.ID); len(l) != 1 || l[0].TicketID != redisToo.ID {
		t.Fatalf("redis incident links %+v", l)
	}
	if l, _ := f.svc.FindLinkedTickets(f.ctx, f.agent, done.ID); len(l) != 0 {
		t.Fatalf("a resolved incident got links %+v", l)
	}

	// The banner: the customer sees their ticket's incidents; others get
	// NotFound, as for the ticket itself.
	list, err := f.svc.FindTicketIncidents(f.ctx, wile, byRegion.ID)
	if err != nil || len(list) != 1 || list[0].ID != inc.ID {
		t.Fatalf("wile's banner: %+v, %v", list, err)
	}
	_, err = f.svc.FindTicketIncidents(f.ctx, wile, byName.ID)
	wantKind(t, err, helpline.KindNotFound, "banner of another org's ticket")
	_, err = f.svc.FindTicketIncidents(f.ctx, nil, byName.ID)
	wantKind(t, err, helpline.KindUnauthorized, "anonymous banner")
	_, err = f.svc.FindLinkedTickets(f.ctx, wile, inc.ID)
	wantKind(t, err, helpline.KindForbidden, "customer lists linked tickets")

	// Linking by hand; twice is harmless.
	if err := f.svc.LinkTicket(f.ctx, f.agent, inc.ID, unrelated.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.LinkTicket(f.ctx, f.agent, inc.ID, unrelated.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.LinkTicket(f.ctx, hank, inc.ID, unrelated.ID), helpline.KindForbidden, "customer links")
	wantKind(t, f.svc.LinkTicket(f.ctx, f.agent, 999999, unrelated.ID), helpline.KindNotFound, "link to a missing incident")
	wantKind(t, f.svc.LinkTicket(f.ctx, f.agent, inc.ID, 999999), helpline.KindNotFound, "link a missing ticket")

	// One reply reaches every open linked ticket; a solved one is skipped.
	if _, err := f.tickets.UpdateTicket(f.ctx, f.agent, byName.ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ReplyToLinked(f.ctx, wile, inc.ID, "We are on it.")
	wantKind(t, err, helpline.KindForbidden, "customer replies to linked")
	_, err = f.svc.ReplyToLinked(f.ctx, f.agent, inc.ID, " ")
	wantField(t, err, "body", "empty reply")
	n, err := f.svc.ReplyToLinked(f.ctx, f.agent, inc.ID, "We are aware of degraded Postgres performance in the EU and are working on it.")
	if err != nil || n != 4 {
		t.Fatalf("ReplyToLinked = %d, %v; want 4", n, err)
	}
	comments, err := f.tickets.FindComments(f.ctx, wile, byRegion.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 1 || comments[0].Internal || !strings.Contains(comments[0].Body, "degraded Postgres") {
		t.Fatalf("comments on the linked ticket: %+v", comments)
	}
	if c, _ := f.tickets.FindComments(f.ctx, hank, byName.ID); len(c) != 0 {
		t.Fatalf("the solved ticket got %d comments", len(c))
	}

	// Once resolved, the banner is gone.
	f.post(inc.ID, status.UpdateInput{Status: status.Resolved})
	if list, err := f.svc.FindTicketIncidents(f.ctx, wile, byRegion.ID); err != nil || len(list) != 0 {
		t.Fatalf("banner after resolution: %+v, %v", list, err)
	}
}

func statusPtr(s ticket.Status) *ticket.Status { return &s }
