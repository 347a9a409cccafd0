package search_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/search"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// ticketWorld is a ticket service whose steps the indexer follows, as the
// app wires it.
type ticketWorld struct {
	*fixture
	accounts *account.Service
	tickets  *ticket.Service
	customer *helpline.Actor
	agent    *helpline.Actor
	org      account.Organization
}

func newTicketWorld(t *testing.T) *ticketWorld {
	t.Helper()
	d := dbtest.Open(t)
	ctx := context.Background()
	now := func() time.Time { return t0 }
	accounts := account.NewService(d, nil, account.Options{Now: now, Hasher: account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}})
	tickets := ticket.NewService(d, accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{Now: now})
	ix := search.New(d)
	tickets.Observe(search.TicketIndexer{Index: ix})
	w := &ticketWorld{fixture: &fixture{t: t, ctx: ctx, db: d, ix: ix}, accounts: accounts, tickets: tickets}
	org, err := accounts.CreateOrganization(ctx, account.CLI(), account.OrgInput{Name: "Acme Rockets", Plan: account.PlanPremier})
	if err != nil {
		t.Fatal(err)
	}
	w.org = org
	w.customer = w.user(account.UserInput{Email: "wile@example.com", Name: "Wile", OrgID: org.ID, OrgRole: account.OrgOwner})
	w.agent = w.user(account.UserInput{Email: "agent@helpline.test", Name: "Agent", StaffRole: helpline.RoleAgent})
	return w
}

func (w *ticketWorld) user(in account.UserInput) *helpline.Actor {
	w.t.Helper()
	in.Password = "correct horse battery"
	u, err := w.accounts.CreateUser(w.ctx, account.CLI(), in)
	if err != nil {
		w.t.Fatal(err)
	}
	return u.Actor("")
}

func (w *ticketWorld) open(subject, description string) ticket.Ticket {
	w.t.Helper()
	tk, err := w.tickets.CreateTicket(w.ctx, w.customer, ticket.NewTicket{
		Subject: subject, Description: description, Priority: ticket.Normal, Environment: "production", Category: "deploys"})
	if err != nil {
		w.t.Fatal(err)
	}
	return tk
}

func ticketsOnly(text string) search.Query {
	return search.Query{Text: text, Audiences: staff, Kinds: []search.Kind{search.KindTicket}}
}

func TestTicketIndexer(t *testing.T) {
	t.Parallel()
	w := newTicketWorld(t)
	tk := w.open("Deploys fail with a slug size error", "Since Monday every **deploy** fails: `slug too large`.")
	other := w.open("Billing question", "Can we pay by invoice?")

	res := w.search(ticketsOnly("slug too big"))
	if len(res) != 1 {
		t.Fatalf("found %v", urls(res))
	}
	want := search.Result{Kind: search.KindTicket, ID: tk.ID, Title: "#" + itoa(tk.Number) + " Deploys fail with a slug size error", URL: "/tickets/" + itoa(tk.Number)}
	if got := res[0]; got.Kind != want.Kind || got.ID != want.ID || got.Title != want.Title || got.URL != want.URL {
		t.Fatalf("result %+v, want %+v", got, want)
	}
	if !strings.Contains(res[0].Snippet, "<mark>slug</mark>") || strings.Contains(res[0].Snippet, "**") {
		t.Errorf("snippet %q: want the plain text with slug marked", res[0].Snippet)
	}
	// The organization is a tag: staff find its tickets by name.
	if res := w.search(ticketsOnly("acme invoice")); len(res) != 2 || res[0].ID != other.ID {
		t.Fatalf("acme invoice: %v", urls(res))
	}
	// Tickets are for staff only.
	if res := w.search(search.Query{Text: "slug", Audiences: customers}); len(res) != 0 {
		t.Fatalf("a customer audience found tickets: %v", urls(res))
	}

	// Replies are indexed with the ticket, internal notes at the next step.
	if _, err := w.tickets.AddComment(w.ctx, w.customer, tk.ID, ticket.NewComment{Body: "We vendor a huge **tensorflow** wheel."}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.tickets.AddComment(w.ctx, w.agent, tk.ID, ticket.NewComment{Body: "Suspect the zebrafish cache.", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if res := w.search(ticketsOnly("tensorflow")); len(res) != 1 || res[0].ID != tk.ID {
		t.Fatalf("a reply's words: %v", urls(res))
	}
	if _, err := w.tickets.AddComment(w.ctx, w.agent, tk.ID, ticket.NewComment{Body: "Try a .slugignore file."}); err != nil {
		t.Fatal(err)
	}
	if res := w.search(ticketsOnly("zebrafish")); len(res) != 1 || res[0].ID != tk.ID {
		t.Fatalf("an internal note's words: %v", urls(res))
	}
	// Typos are corrected from ticket words too.
	if res := w.search(ticketsOnly("tensorflw")); len(res) != 1 || res[0].Corrected != "tensorflow" {
		t.Fatalf("tensorflw: %+v", res)
	}
	// A status change keeps the ticket findable.
	solved := ticket.StatusSolved
	if _, err := w.tickets.UpdateTicket(w.ctx, w.agent, tk.ID, ticket.Update{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	if res := w.search(ticketsOnly("slug")); len(res) != 1 || res[0].ID != tk.ID {
		t.Fatalf("after solving: %v", urls(res))
	}
}

// Migration 0009 indexes the tickets an upgraded instance already has.
func TestMigrationIndexesExistingTickets(t *testing.T) {
	t.Parallel()
	w := newTicketWorld(t)
	tk := w.open("Router returns H13", "Connections close without a response.")
	if _, err := w.tickets.AddComment(w.ctx, w.customer, tk.ID, ticket.NewComment{Body: "Happens behind the websocket proxy."}); err != nil {
		t.Fatal(err)
	}
	// Forget the index, then run the migration's backfill as an upgrade would.
	if _, err := w.db.ExecContext(w.ctx, `DELETE FROM search_docs`); err != nil {
		t.Fatal(err)
	}
	ms, err := db.Migrations(w.db.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	var backfill string
	for _, m := range ms {
		if m.Name == "0009_search" {
			_, backfill, _ = strings.Cut(m.SQL, "-- Tickets opened before search existed")
		}
	}
	if backfill == "" {
		t.Fatal("migration 0009_search has no ticket backfill")
	}
	if _, err := w.db.ExecContext(w.ctx, "-- "+backfill); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"h13", "websocket", "acme connections"} {
		res := w.search(ticketsOnly(q))
		if len(res) != 1 || res[0].ID != tk.ID || res[0].URL != "/tickets/"+itoa(tk.Number) || !strings.HasPrefix(res[0].Title, "#"+itoa(tk.Number)+" Router") {
			t.Errorf("%s: %+v", q, res)
		}
	}
	// The next step re-indexes it the usual way, over the backfilled row.
	if _, err := w.tickets.AddComment(w.ctx, w.agent, tk.ID, ticket.NewComment{Body: "Fixed by raising the idle timeout."}); err != nil {
		t.Fatal(err)
	}
	if res := w.search(ticketsOnly("idle websocket")); len(res) != 1 || res[0].ID != tk.ID {
		t.Fatalf("after a reply: %+v", res)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
