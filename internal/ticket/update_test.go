package ticket_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)

	status := func(id int64) ticket.Status {
		t.Helper()
		tk, err := f.svc.FindTicketByID(f.ctx, agent, id)
		if err != nil {
			t.Fatal(err)
		}
		return tk.Status
	}
	comment := func(actor *helpline.Actor, id int64, body string, internal bool) ticket.Comment {
		t.Helper()
		f.clock.Advance(time.Minute)
		c, err := f.svc.AddComment(f.ctx, actor, id, ticket.NewComment{Body: body, Internal: internal})
		if err != nil {
			t.Fatalf("comment %q: %v", body, err)
		}
		if c.ID == 0 || c.AuthorID != actor.UserID || c.Internal != internal || !c.CreatedAt.Equal(f.clock.Now()) {
			t.Fatalf("comment = %+v", c)
		}
		return c
	}
	bodies := func(actor *helpline.Actor, id int64) []string {
		t.Helper()
		cs, err := f.svc.FindComments(f.ctx, actor, id)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, c := range cs {
			out = append(out, c.Body)
		}
		return out
	}

	tk := f.open(alice, basic("Build fails", ticket.Normal))

	t.Run("internal notes are for staff", func(t *testing.T) {
		comment(agent, tk.ID, "Looks like the buildpack cache; check with the build team.", true)
		if got := status(tk.ID); got != ticket.StatusNew {
			t.Fatalf("an internal note moved the ticket to %s, want new", got)
		}
		_, err := f.svc.AddComment(f.ctx, alice, tk.ID, ticket.NewComment{Body: "Can I write a secret note?", Internal: true})
		wantFields(t, err, "internal")
		if n := f.count(`SELECT count(*) FROM ticket_comments WHERE author_id = $1`, alice.UserID); n != 0 {
			t.Fatalf("a refused customer note was stored")
		}
	})
	t.Run("a public staff reply opens a new ticket", func(t *testing.T) {
		comment(agent, tk.ID, "Please clear the build cache and deploy again.", false)
		if got := status(tk.ID); got != ticket.StatusOpen {
			t.Fatalf("status = %s, want open", got)
		}
		evs, err := f.svc.FindEvents(f.ctx, alice, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Kind != "status_changed" || last.Data["from"] != "new" || last.Data["to"] != "open" || !last.Public {
			t.Fatalf("last event = %+v, want a public status change from new to open", last)
		}
	})
	t.Run("customers do not see internal notes", func(t *testing.T) {
		want := []string{"Please clear the build cache and deploy again."}
		if got := bodies(alice, tk.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("customer sees %v, want %v", got, want)
		}
		want = []string{"Looks like the buildpack cache; check with the build team.", "Please clear the build cache and deploy again."}
		if got := bodies(agent, tk.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("staff see %v, want %v", got, want)
		}
	})
	t.Run("a customer reply reopens a pending ticket", func(t *testing.T) {
		f.update(agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusPending)})
		comment(alice, tk.ID, "Cleared the cache, same error.", false)
		if got := status(tk.ID); got != ticket.StatusOpen {
			t.Fatalf("status = %s, want open", got)
		}
	})
	t.Run("a customer reply reopens a solved ticket", func(t *testing.T) {
		f.update(alice, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)})
		comment(alice, tk.ID, "Actually it is back.", false)
		if got := status(tk.ID); got != ticket.StatusOpen {
			t.Fatalf("status = %s, want open", got)
		}
	})
	t.Run("a staff reply leaves pending alone", func(t *testing.T) {
		f.update(agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusPending)})
		comment(agent, tk.ID, "Any news on your side?", false)
		if got := status(tk.ID); got != ticket.StatusPending {
			t.Fatalf("status = %s, want pending", got)
		}
	})
	t.Run("replies since", func(t *testing.T) {
		mine := comment(agent, tk.ID, "Following up again.", false)
		theirs := comment(alice, tk.ID, "We found it, thanks.", false)
		got, err := f.svc.RepliesSince(f.ctx, agent, tk.ID, mine.ID-1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != theirs.ID {
			t.Fatalf("RepliesSince = %+v, want only the customer's reply", got)
		}
	})
	t.Run("empty body", func(t *testing.T) {
		_, err := f.svc.AddComment(f.ctx, alice, tk.ID, ticket.NewComment{Body: "  \n"})
		wantFields(t, err, "body")
	})
	t.Run("long body", func(t *testing.T) {
		_, err := f.svc.AddComment(f.ctx, alice, tk.ID, ticket.NewComment{Body: strings.Repeat("x", ticket.MaxMarkdown+1)})
		he := wantFields(t, err, "body")
		if !strings.Contains(he.Fields["body"], "too long") {
			t.Fatalf("body = %q", he.Fields["body"])
		}
	})
	t.Run("closed tickets take no comments", func(t *testing.T) {
		f.update(agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusClosed)})
		before := f.count(`SELECT count(*) FROM ticket_comments`)
		for _, actor := range []*helpline.Actor{alice, agent} {
			_, err := f.svc.AddComment(f.ctx, actor, tk.ID, ticket.NewComment{Body: "One more thing."})
			he := wantKind(t, err, helpline.KindConflict)
			if !strings.Contains(he.Message, "#1001") {
				t.Errorf("message %q should name the ticket to mention", he.Message)
			}
		}
		if after := f.count(`SELECT count(*) FROM ticket_comments`); after != before {
			t.Fatalf("comments on a closed ticket were stored")
		}
		if got := status(tk.ID); got != ticket.StatusClosed {
			t.Fatalf("status = %s, want closed", got)
		}
	})
}

func TestUpdateTicket(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	admin := f.staff("admin", helpline.RoleAdmin)
	csa := f.staff("csa", helpline.RoleCSA)
	tk := f.open(alice, basic("Build fails", ticket.Normal))

	t.Run("staff change status and assignee", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		got := f.update(agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusOnHold), AssigneeID: idPtr(agent.UserID)})
		if got.Status != ticket.StatusOnHold || got.AssigneeID == nil || *got.AssigneeID != agent.UserID || got.AssigneeName != "agent" {
			t.Fatalf("ticket = %+v, want on hold and assigned to agent", got)
		}
		if !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("updated_at = %v, want %v", got.UpdatedAt, t0.Add(time.Hour))
		}
		got = f.update(agent, tk.ID, ticket.Update{AssigneeID: idPtr(admin.UserID)})
		if got.AssigneeID == nil || *got.AssigneeID != admin.UserID || got.Status != ticket.StatusOnHold {
			t.Fatalf("ticket = %+v, want assigned to admin, still on hold", got)
		}
		got = f.update(admin, tk.ID, ticket.Update{AssigneeID: idPtr(0)})
		if got.AssigneeID != nil || got.AssigneeName != "" {
			t.Fatalf("ticket = %+v, want unassigned", got)
		}
	})
	refused := []struct {
		name     string
		actor    *helpline.Actor
		update   ticket.Update
		kind     helpline.ErrorKind
		field    string
		contains string
	}{
		{"csa assignee", agent, ticket.Update{AssigneeID: idPtr(csa.UserID)}, helpline.KindInvalid, "assignee_id", "solutions architects"},
		{"customer assignee", agent, ticket.Update{AssigneeID: idPtr(alice.UserID)}, helpline.KindInvalid, "assignee_id", ""},
		{"unknown assignee", agent, ticket.Update{AssigneeID: idPtr(alice.UserID + 1000)}, helpline.KindInvalid, "assignee_id", ""},
		{"unknown status", agent, ticket.Update{Status: statusPtr("done")}, helpline.KindInvalid, "status", ""},
		{"nothing to change", agent, ticket.Update{}, helpline.KindInvalid, "status", ""},
		{"customer sets pending", alice, ticket.Update{Status: statusPtr(ticket.StatusPending)}, helpline.KindForbidden, "", ""},
		{"customer closes", alice, ticket.Update{Status: statusPtr(ticket.StatusClosed)}, helpline.KindForbidden, "", ""},
		{"customer assigns", alice, ticket.Update{AssigneeID: idPtr(agent.UserID)}, helpline.KindForbidden, "", ""},
		{"customer solves and assigns", alice, ticket.Update{Status: statusPtr(ticket.StatusSolved), AssigneeID: idPtr(0)}, helpline.KindForbidden, "", ""},
		{"anonymous", nil, ticket.Update{Status: statusPtr(ticket.StatusSolved)}, helpline.KindUnauthorized, "", ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before, err := f.svc.FindTicketByID(f.ctx, agent, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.UpdateTicket(f.ctx, tt.actor, tk.ID, tt.update)
			if tt.field != "" {
				he := wantFields(t, err, tt.field)
				if !strings.Contains(he.Fields[tt.field], tt.contains) {
					t.Fatalf("%s = %q, want it to mention %q", tt.field, he.Fields[tt.field], tt.contains)
				}
			} else {
				wantKind(t, err, tt.kind)
			}
			after, err := f.svc.FindTicketByID(f.ctx, agent, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(after, before) {
				t.Fatalf("a refused update changed the ticket:\n%+v\nwas\n%+v", after, before)
			}
		})
	}
	t.Run("customer marks solved", func(t *testing.T) {
		got := f.update(alice, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)})
		if got.Status != ticket.StatusSolved {
			t.Fatalf("status = %s", got.Status)
		}
	})
	t.Run("events", func(t *testing.T) {
		staff := f.eventKinds(agent, tk.ID)
		want := []string{"created", "status_changed", "assigned", "assigned", "assigned", "status_changed"}
		if !reflect.DeepEqual(staff, want) {
			t.Fatalf("staff events = %v, want %v", staff, want)
		}
		customer := f.eventKinds(alice, tk.ID)
		if want := []string{"created", "status_changed", "status_changed"}; !reflect.DeepEqual(customer, want) {
			t.Fatalf("customer events = %v, want %v (assignments are internal)", customer, want)
		}
		evs, err := f.svc.FindEvents(f.ctx, agent, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := evs[2]
		if a.Public || a.ActorID == nil || *a.ActorID != agent.UserID || a.ActorName != "agent" || a.Data["assignee"] != "agent" {
			t.Fatalf("assigned event = %+v", a)
		}
	})
	t.Run("closed tickets do not change", func(t *testing.T) {
		f.update(agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusClosed)})
		_, err := f.svc.UpdateTicket(f.ctx, agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusOpen)})
		wantKind(t, err, helpline.KindConflict)
		_, err = f.svc.UpdateTicket(f.ctx, alice, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)})
		wantKind(t, err, helpline.KindConflict)
	})
}
