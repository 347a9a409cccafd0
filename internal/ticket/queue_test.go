package ticket_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.org("Org A", account.PlanStandard)
	orgB := f.org("Org B", account.PlanStandard)
	alice := f.customer("alice", orgA, account.OrgOwner)
	amy := f.customer("amy", orgA, account.OrgMember)
	bob := f.customer("bob", orgB, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	csa := f.staff("csa", helpline.RoleCSA)

	ta := f.open(alice, basic("A's ticket", ticket.High))
	f.clock.Advance(time.Minute)
	tb := f.open(bob, basic("B's ticket", ticket.Normal))
	if _, err := f.svc.ChangePriority(f.ctx, agent, ta.ID, ticket.Low, "no production impact described"); err != nil {
		t.Fatal(err)
	}

	// Org B's customer learns nothing about org A's ticket.
	hidden := []struct {
		name string
		call func() error
	}{
		{"FindTicketByID", func() error { _, err := f.svc.FindTicketByID(f.ctx, bob, ta.ID); return err }},
		{"FindTicketByNumber", func() error { _, err := f.svc.FindTicketByNumber(f.ctx, bob, ta.Number); return err }},
		{"FindComments", func() error { _, err := f.svc.FindComments(f.ctx, bob, ta.ID); return err }},
		{"FindEvents", func() error { _, err := f.svc.FindEvents(f.ctx, bob, ta.ID); return err }},
		{"FindParticipants", func() error { _, err := f.svc.FindParticipants(f.ctx, bob, ta.ID); return err }},
		{"FindGrants", func() error { _, err := f.svc.FindGrants(f.ctx, bob, ta.ID); return err }},
		{"AddComment", func() error {
			_, err := f.svc.AddComment(f.ctx, bob, ta.ID, ticket.NewComment{Body: "hello?"})
			return err
		}},
		{"UpdateTicket", func() error {
			_, err := f.svc.UpdateTicket(f.ctx, bob, ta.ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)})
			return err
		}},
		{"Appeal", func() error {
			_, err := f.svc.Appeal(f.ctx, bob, ta.ID, "this really is a high priority problem")
			return err
		}},
		{"Share", func() error { _, err := f.svc.Share(f.ctx, bob, ta.ID, false); return err }},
		{"ShareToken", func() error { _, err := f.svc.ShareToken(f.ctx, bob, ta.ID); return err }},
		{"RevokeShare", func() error { return f.svc.RevokeShare(f.ctx, bob, ta.ID) }},
		{"RemoveParticipant", func() error { return f.svc.RemoveParticipant(f.ctx, bob, ta.ID, amy.UserID) }},
		{"RevokeAccess", func() error { return f.svc.RevokeAccess(f.ctx, bob, ta.ID) }},
		{"FindAttachments", func() error { _, err := f.svc.FindAttachments(f.ctx, bob, ta.ID); return err }},
		{"unknown ticket", func() error { _, err := f.svc.FindTicketByID(f.ctx, alice, ta.ID+tb.ID+100); return err }},
	}
	for _, tt := range hidden {
		t.Run("other org "+tt.name, func(t *testing.T) {
			wantKind(t, tt.call(), helpline.KindNotFound)
		})
	}
	if n := f.count(`SELECT count(*) FROM ticket_comments`); n != 0 {
		t.Fatalf("a refused comment was stored")
	}

	list := func(actor *helpline.Actor) []string {
		t.Helper()
		ts, err := f.svc.FindTickets(f.ctx, actor, ticket.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return subjects(ts)
	}
	for _, tt := range []struct {
		name  string
		actor *helpline.Actor
		want  []string
	}{
		{"requester", alice, []string{"A's ticket"}},
		{"member of the same org", amy, []string{"A's ticket"}},
		{"other org", bob, []string{"B's ticket"}},
		{"agent sees all, newest first", agent, []string{"B's ticket", "A's ticket"}},
		{"csa sees all", csa, []string{"B's ticket", "A's ticket"}},
	} {
		t.Run("FindTickets "+tt.name, func(t *testing.T) {
			if got := list(tt.actor); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("FindTickets = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := f.svc.FindTicketByID(f.ctx, amy, ta.ID); err != nil {
		t.Fatalf("a member of the org cannot see its ticket: %v", err)
	}
	if _, err := f.svc.FindTicketByID(f.ctx, agent, tb.ID); err != nil {
		t.Fatalf("staff cannot see a ticket: %v", err)
	}
	_, err := f.svc.FindTickets(f.ctx, nil, ticket.Filter{})
	wantKind(t, err, helpline.KindUnauthorized)
	_, err = f.svc.FindTicketByID(f.ctx, nil, ta.ID)
	wantKind(t, err, helpline.KindUnauthorized)

	t.Run("shared ticket", func(t *testing.T) {
		token, err := f.svc.Share(f.ctx, alice, ta.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		joined, err := f.svc.Join(f.ctx, bob, token)
		if err != nil {
			t.Fatal(err)
		}
		if joined.ID != ta.ID {
			t.Fatalf("joined ticket %d, want %d", joined.ID, ta.ID)
		}
		if _, err := f.svc.FindTicketByID(f.ctx, bob, ta.ID); err != nil {
			t.Fatalf("participant cannot see the shared ticket: %v", err)
		}
		if got, want := list(bob), []string{"B's ticket", "A's ticket"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("participant's FindTickets = %v, want %v", got, want)
		}
		if _, err := f.svc.FindComments(f.ctx, bob, ta.ID); err != nil {
			t.Fatalf("participant cannot read comments: %v", err)
		}
		if _, err := f.svc.AddComment(f.ctx, bob, ta.ID, ticket.NewComment{Body: "Same here at Org B."}); err != nil {
			t.Fatalf("participant cannot reply: %v", err)
		}
		// The shared ticket does not reveal org A's other tickets.
		other := f.open(alice, basic("A's private ticket", ticket.Low))
		_, err = f.svc.FindTicketByID(f.ctx, bob, other.ID)
		wantKind(t, err, helpline.KindNotFound)
	})
}

// queueFixture opens tickets across plans and priorities at different times.
type queueFixture struct {
	*fixture
	agent, agent2 *helpline.Actor
	premier       account.App
	tickets       map[string]ticket.Ticket
}

func newQueueFixture(t *testing.T) *queueFixture {
	f := newFixture(t)
	q := &queueFixture{fixture: f, tickets: map[string]ticket.Ticket{}}
	orgs := map[account.Plan]*helpline.Actor{}
	apps := map[account.Plan]account.App{}
	for _, p := range []account.Plan{account.PlanPremier, account.PlanEnterprise, account.PlanStandard, account.PlanFree, account.PlanLegacyEnterprise} {
		o := f.org(string(p)+" co", p)
		orgs[p] = f.customer(string(p)+"-owner", o, account.OrgOwner)
		apps[p] = f.app(o, string(p)[:3]+"-app")
	}
	q.premier = apps[account.PlanPremier]
	q.agent = f.staff("agent", helpline.RoleAgent)
	q.agent2 = f.staff("agent2", helpline.RoleAgent)
	open := []struct {
		subject string
		plan    account.Plan
		p       ticket.Priority
	}{
		{"free normal", account.PlanFree, ticket.Normal},                        // 1001, t0+1m
		{"standard urgent", account.PlanStandard, ticket.Urgent},                // 1002
		{"enterprise low", account.PlanEnterprise, ticket.Low},                  // 1003
		{"premier high", account.PlanPremier, ticket.High},                      // 1004
		{"standard high database", account.PlanStandard, ticket.High},           // 1005
		{"free urgent", account.PlanFree, ticket.Urgent},                        // 1006
		{"premier low", account.PlanPremier, ticket.Low},                        // 1007
		{"enterprise high", account.PlanEnterprise, ticket.High},                // 1008
		{"standard normal solved", account.PlanStandard, ticket.Normal},         // 1009
		{"premier urgent", account.PlanPremier, ticket.Urgent},                  // 1010
		{"legacy normal Database", account.PlanLegacyEnterprise, ticket.Normal}, // 1011
		{"free low 100% CPU", account.PlanFree, ticket.Low},                     // 1012
	}
	for _, o := range open {
		f.clock.Advance(time.Minute)
		in := basic(o.subject, o.p)
		if o.p == ticket.Urgent {
			in = urgent(o.subject, apps[o.plan])
		}
		q.tickets[o.subject] = f.open(orgs[o.plan], in)
	}
	f.update(q.agent, q.tickets["standard normal solved"].ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)})
	f.update(q.agent, q.tickets["premier high"].ID, ticket.Update{AssigneeID: idPtr(q.agent.UserID), Status: statusPtr(ticket.StatusOpen)})
	f.update(q.agent, q.tickets["free urgent"].ID, ticket.Update{AssigneeID: idPtr(q.agent.UserID)})
	f.update(q.agent, q.tickets["enterprise low"].ID, ticket.Update{AssigneeID: idPtr(q.agent2.UserID), Status: statusPtr(ticket.StatusPending)})
	return q
}

// queueOrder is every active ticket: enterprise plans first, then
// priority, then age.
var queueOrder = []string{
	"premier urgent",
	"premier high",
	"enterprise high",
	"legacy normal Database",
	"enterprise low",
	"premier low",
	"standard urgent",
	"free urgent",
	"standard high database",
	"free normal",
	"free low 100% CPU",
}

func TestQueueOrder(t *testing.T) {
	t.Parallel()
	q := newQueueFixture(t)
	got, err := q.svc.FindQueue(q.ctx, q.agent, ticket.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(subjects(got), queueOrder) {
		t.Fatalf("queue =\n%v\nwant\n%v", subjects(got), queueOrder)
	}
	page, err := q.svc.FindQueue(q.ctx, q.agent, ticket.Filter{Page: helpline.Page{Limit: 3, Offset: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := queueOrder[2:5]; !reflect.DeepEqual(subjects(page), want) {
		t.Fatalf("page = %v, want %v", subjects(page), want)
	}

	// Staff re-prioritising moves a ticket; the queue follows the new priority.
	if _, err := q.svc.ChangePriority(q.ctx, q.agent, q.tickets["free normal"].ID, ticket.High, "the whole API is slow for them"); err != nil {
		t.Fatal(err)
	}
	got, err = q.svc.FindQueue(q.ctx, q.agent, ticket.Filter{Plan: account.PlanFree})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"free urgent", "free normal", "free low 100% CPU"}; !reflect.DeepEqual(subjects(got), want) {
		t.Fatalf("free queue after raising free normal to high = %v, want %v", subjects(got), want)
	}
}

func TestQueueFilters(t *testing.T) {
	t.Parallel()
	q := newQueueFixture(t)
	only := func(names ...string) []string { return append([]string{}, names...) }
	tests := []struct {
		name   string
		filter ticket.Filter
		want   []string
	}{
		{"solved", ticket.Filter{Status: []ticket.Status{ticket.StatusSolved}}, only("standard normal solved")},
		{"open and pending", ticket.Filter{Status: []ticket.Status{ticket.StatusOpen, ticket.StatusPending}}, only("premier high", "enterprise low")},
		{"every status", ticket.Filter{Status: ticket.Statuses}, append(queueOrder[:8:8], "standard high database", "free normal", "standard normal solved", "free low 100% CPU")},
		{"urgent", ticket.Filter{Priority: ticket.Urgent}, only("premier urgent", "standard urgent", "free urgent")},
		{"high", ticket.Filter{Priority: ticket.High}, only("premier high", "enterprise high", "standard high database")},
		{"premier", ticket.Filter{Plan: account.PlanPremier}, only("premier urgent", "premier high", "premier low")},
		{"free", ticket.Filter{Plan: account.PlanFree}, only("free urgent", "free normal", "free low 100% CPU")},
		{"premier and low", ticket.Filter{Plan: account.PlanPremier, Priority: ticket.Low}, only("premier low")},
		{"assigned to me", ticket.Filter{Assignee: "me"}, only("premier high", "free urgent")},
		{"assigned to agent2 by ID", ticket.Filter{Assignee: strconv.FormatInt(q.agent2.UserID, 10)}, only("enterprise low")},
		{"unassigned", ticket.Filter{Assignee: "unassigned"}, only("premier urgent", "enterprise high", "legacy normal Database", "premier low", "standard urgent", "standard high database", "free normal", "free low 100% CPU")},
		{"anyone", ticket.Filter{Assignee: "any"}, queueOrder},
		{"app", ticket.Filter{AppID: q.premier.ID}, only("premier urgent")},
		{"subject word, any case", ticket.Filter{Text: "DATABASE"}, only("legacy normal Database", "standard high database")},
		{"subject fragment", ticket.Filter{Text: " urg "}, only("premier urgent", "standard urgent", "free urgent")},
		{"number with #", ticket.Filter{Text: "#1003"}, only("enterprise low")},
		{"number", ticket.Filter{Text: "1004"}, only("premier high")},
		{"number of a solved ticket", ticket.Filter{Text: "#1009"}, only()},
		{"percent is literal", ticket.Filter{Text: "100%"}, only("free low 100% CPU")},
		{"underscore is literal", ticket.Filter{Text: "_"}, only()},
		{"no match", ticket.Filter{Text: "kafka"}, only()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := q.svc.FindQueue(q.ctx, q.agent, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(subjects(got), tt.want) {
				t.Fatalf("FindQueue(%+v) =\n%v\nwant\n%v", tt.filter, subjects(got), tt.want)
			}
		})
	}

	invalid := []struct {
		name   string
		filter ticket.Filter
		field  string
	}{
		{"status", ticket.Filter{Status: []ticket.Status{"done"}}, "status"},
		{"one bad status among good", ticket.Filter{Status: []ticket.Status{ticket.StatusOpen, "Open"}}, "status"},
		{"priority", ticket.Filter{Priority: "p1"}, "priority"},
		{"plan", ticket.Filter{Plan: "gold"}, "plan"},
		{"assignee name", ticket.Filter{Assignee: "bob"}, "assignee"},
		{"assignee zero", ticket.Filter{Assignee: "0"}, "assignee"},
	}
	for _, tt := range invalid {
		t.Run("invalid "+tt.name, func(t *testing.T) {
			_, err := q.svc.FindQueue(q.ctx, q.agent, tt.filter)
			wantFields(t, err, tt.field)
			_, err = q.svc.FindTickets(q.ctx, q.agent, tt.filter)
			wantFields(t, err, tt.field)
		})
	}

	t.Run("customers have no queue", func(t *testing.T) {
		customer := q.tickets["premier high"].RequesterID
		actor := &helpline.Actor{UserID: customer, Name: "premier-owner"}
		_, err := q.svc.FindQueue(q.ctx, actor, ticket.Filter{})
		wantKind(t, err, helpline.KindForbidden)
		_, err = q.svc.FindQueue(q.ctx, nil, ticket.Filter{})
		wantKind(t, err, helpline.KindUnauthorized)
	})

	t.Run("FindTickets filters a customer's own list", func(t *testing.T) {
		free := &helpline.Actor{UserID: q.tickets["free normal"].RequesterID}
		got, err := q.svc.FindTickets(q.ctx, free, ticket.Filter{Priority: ticket.Urgent})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"free urgent"}; !reflect.DeepEqual(subjects(got), want) {
			t.Fatalf("FindTickets = %v, want %v", subjects(got), want)
		}
		got, err = q.svc.FindTickets(q.ctx, free, ticket.Filter{Text: "#1003"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Fatalf("a customer found another org's ticket by number: %v", subjects(got))
		}
	})

	n, err := q.svc.CountAppealsPending(q.ctx)
	if err != nil || n != 0 {
		t.Fatalf("CountAppealsPending = %d, %v", n, err)
	}
}
