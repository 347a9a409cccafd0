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

const (
	staffReason  = "A workaround exists: roll back to release v41."
	appealReason = "The rollback loses today's orders, so there is no real workaround."
	decisionNote = "Confirmed with the customer; the rollback is not viable."
)

func TestPriorityReviewAndAppeal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanEnterprise)
	other := f.org("Other", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	amy := f.customer("amy", acme, account.OrgMember)
	bob := f.customer("bob", other, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	tk := f.open(alice, basic("Checkout slow", ticket.High))

	t.Run("nothing to appeal before a change", func(t *testing.T) {
		_, err := f.svc.Appeal(f.ctx, alice, tk.ID, appealReason)
		wantKind(t, err, helpline.KindConflict)
		_, err = f.svc.DecideAppeal(f.ctx, agent, tk.ID, ticket.AppealUpheld, decisionNote)
		wantKind(t, err, helpline.KindConflict)
	})

	changeRefused := []struct {
		name   string
		actor  *helpline.Actor
		to     ticket.Priority
		reason string
		kind   helpline.ErrorKind
		field  string
	}{
		{"customer", alice, ticket.Low, staffReason, helpline.KindForbidden, ""},
		{"anonymous", nil, ticket.Low, staffReason, helpline.KindUnauthorized, ""},
		{"no reason", agent, ticket.Low, "  ", helpline.KindInvalid, "reason"},
		{"short reason", agent, ticket.Low, strings.Repeat("r", ticket.MinReason-1), helpline.KindInvalid, "reason"},
		{"unknown priority", agent, "p0", staffReason, helpline.KindInvalid, "priority"},
		{"same priority", agent, ticket.High, staffReason, helpline.KindInvalid, "priority"},
	}
	for _, tt := range changeRefused {
		t.Run("change refused: "+tt.name, func(t *testing.T) {
			_, err := f.svc.ChangePriority(f.ctx, tt.actor, tk.ID, tt.to, tt.reason)
			if tt.field != "" {
				wantFields(t, err, tt.field)
			} else {
				wantKind(t, err, tt.kind)
			}
			got, err := f.svc.FindTicketByID(f.ctx, agent, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Priority != ticket.High || got.PriorityReason != "" {
				t.Fatalf("a refused change changed the ticket: %s %q", got.Priority, got.PriorityReason)
			}
		})
	}

	f.clock.Advance(time.Hour)
	t.Run("staff lower the priority", func(t *testing.T) {
		got, err := f.svc.ChangePriority(f.ctx, agent, tk.ID, ticket.Normal, "  "+staffReason+" ")
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority != ticket.Normal || got.OriginalPriority != ticket.High || got.PriorityReason != staffReason {
			t.Fatalf("ticket = %s (original %s, reason %q)", got.Priority, got.OriginalPriority, got.PriorityReason)
		}
		if !got.PriorityChanged() || !got.CanAppeal() || got.AppealState != ticket.AppealNone {
			t.Fatalf("changed=%v canAppeal=%v appeal=%q", got.PriorityChanged(), got.CanAppeal(), got.AppealState)
		}
		ev := f.wantAudit("ticket.priority_changed", tk.ID, agent)
		if ev.Details["from"] != "high" || ev.Details["to"] != "normal" || ev.Details["reason"] != staffReason {
			t.Fatalf("audit details = %v", ev.Details)
		}
	})
	t.Run("staff may change it again before an appeal", func(t *testing.T) {
		got, err := f.svc.ChangePriority(f.ctx, agent, tk.ID, ticket.Low, "On reflection only a cosmetic slowdown.")
		if err != nil {
			t.Fatal(err)
		}
		if got.Priority != ticket.Low || got.OriginalPriority != ticket.High {
			t.Fatalf("ticket = %s (original %s)", got.Priority, got.OriginalPriority)
		}
	})

	t.Run("who may appeal", func(t *testing.T) {
		// Bob joins through the share link: a participant, not a member.
		token, err := f.svc.Share(f.ctx, alice, tk.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Join(f.ctx, bob, token); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Appeal(f.ctx, bob, tk.ID, appealReason)
		wantKind(t, err, helpline.KindForbidden)
		_, err = f.svc.Appeal(f.ctx, agent, tk.ID, appealReason)
		wantKind(t, err, helpline.KindForbidden)
		_, err = f.svc.Appeal(f.ctx, nil, tk.ID, appealReason)
		wantKind(t, err, helpline.KindUnauthorized)
		_, err = f.svc.Appeal(f.ctx, alice, tk.ID, "please")
		wantFields(t, err, "reason")
		if got := f.audit("ticket.appealed", tk.ID); len(got) != 0 {
			t.Fatalf("refused appeals were audited: %+v", got)
		}
	})

	f.clock.Advance(time.Hour)
	t.Run("a member appeals", func(t *testing.T) {
		got, err := f.svc.Appeal(f.ctx, amy, tk.ID, appealReason)
		if err != nil {
			t.Fatal(err)
		}
		if got.AppealState != ticket.AppealPending || got.Priority != ticket.Low || got.CanAppeal() {
			t.Fatalf("ticket = %s appeal %q canAppeal %v", got.Priority, got.AppealState, got.CanAppeal())
		}
		if n, err := f.svc.CountAppealsPending(f.ctx); err != nil || n != 1 {
			t.Fatalf("CountAppealsPending = %d, %v", n, err)
		}
		pending, err := f.svc.FindQueue(f.ctx, agent, ticket.Filter{AppealPending: true})
		if err != nil || len(pending) != 1 || pending[0].ID != tk.ID {
			t.Fatalf("queue of pending appeals = %+v, %v", pending, err)
		}
		ev := f.wantAudit("ticket.appealed", tk.ID, amy)
		if ev.Details["requested"] != "high" || ev.Details["current"] != "low" || ev.Details["reason"] != appealReason {
			t.Fatalf("audit details = %v", ev.Details)
		}
	})
	t.Run("while the appeal is pending", func(t *testing.T) {
		_, err := f.svc.ChangePriority(f.ctx, agent, tk.ID, ticket.Normal, staffReason)
		wantKind(t, err, helpline.KindConflict)
		_, err = f.svc.Appeal(f.ctx, alice, tk.ID, appealReason)
		wantKind(t, err, helpline.KindConflict)
		_, err = f.svc.DecideAppeal(f.ctx, alice, tk.ID, ticket.AppealOverturned, decisionNote)
		wantKind(t, err, helpline.KindForbidden)
		_, err = f.svc.DecideAppeal(f.ctx, agent, tk.ID, "granted", decisionNote)
		wantFields(t, err, "outcome")
		_, err = f.svc.DecideAppeal(f.ctx, agent, tk.ID, ticket.AppealUpheld, "no")
		wantFields(t, err, "note")
		got, err := f.svc.FindTicketByID(f.ctx, agent, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AppealState != ticket.AppealPending || got.Priority != ticket.Low {
			t.Fatalf("ticket = %s appeal %q", got.Priority, got.AppealState)
		}
	})

	f.clock.Advance(time.Hour)
	t.Run("upheld keeps the staff priority", func(t *testing.T) {
		got, err := f.svc.DecideAppeal(f.ctx, agent, tk.ID, ticket.AppealUpheld, decisionNote)
		if err != nil {
			t.Fatal(err)
		}
		if got.AppealState != ticket.AppealUpheld || got.Priority != ticket.Low || got.OriginalPriority != ticket.High {
			t.Fatalf("ticket = %s (original %s) appeal %q", got.Priority, got.OriginalPriority, got.AppealState)
		}
		ev := f.wantAudit("ticket.appeal_decided", tk.ID, agent)
		if ev.Details["outcome"] != "upheld" || ev.Details["priority"] != "low" {
			t.Fatalf("audit details = %v", ev.Details)
		}
		if n, _ := f.svc.CountAppealsPending(f.ctx); n != 0 {
			t.Fatalf("CountAppealsPending = %d after the decision", n)
		}
	})
	t.Run("the decision is final", func(t *testing.T) {
		_, err := f.svc.DecideAppeal(f.ctx, agent, tk.ID, ticket.AppealOverturned, decisionNote)
		wantKind(t, err, helpline.KindConflict)
		_, err = f.svc.Appeal(f.ctx, alice, tk.ID, appealReason)
		wantKind(t, err, helpline.KindConflict)
		if n := len(f.audit("ticket.appealed", tk.ID)); n != 1 {
			t.Fatalf("%d appeals audited, want 1", n)
		}
	})
	t.Run("every step is in the customer's history", func(t *testing.T) {
		evs, err := f.svc.FindEvents(f.ctx, alice, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range evs {
			switch e.Kind {
			case "priority_changed", "appeal_submitted", "appeal_decided":
				kinds = append(kinds, e.Kind)
				if !e.Public {
					t.Errorf("%s is not public", e.Kind)
				}
			}
		}
		want := []string{"priority_changed", "priority_changed", "appeal_submitted", "appeal_decided"}
		if !reflect.DeepEqual(kinds, want) {
			t.Fatalf("customer events = %v, want %v", kinds, want)
		}
		for _, e := range evs {
			if e.Kind == "appeal_decided" && (e.Data["note"] != decisionNote || e.Data["outcome"] != "upheld") {
				t.Fatalf("appeal_decided data = %v", e.Data)
			}
		}
	})
}

func TestAppealOverturnedRestoresQueueRank(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	acme := f.org("Acme", account.PlanStandard)
	alice := f.customer("alice", acme, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	web := f.app(acme, "acme-web")
	down := f.open(alice, urgent("Site down", web))
	f.clock.Advance(time.Minute)
	slow := f.open(alice, basic("Site slow", ticket.High))
	f.clock.Advance(time.Minute)
	question := f.open(alice, basic("Question", ticket.Normal))

	queue := func() []string {
		t.Helper()
		got, err := f.svc.FindQueue(f.ctx, agent, ticket.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return subjects(got)
	}
	if got, want := queue(), []string{"Site down", "Site slow", "Question"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("queue = %v, want %v", got, want)
	}
	if _, err := f.svc.ChangePriority(f.ctx, agent, down.ID, ticket.Low, "The app answers; only the admin page fails."); err != nil {
		t.Fatal(err)
	}
	if got, want := queue(), []string{"Site slow", "Question", "Site down"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("queue after lowering = %v, want %v", got, want)
	}
	if _, err := f.svc.Appeal(f.ctx, alice, down.ID, appealReason); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.DecideAppeal(f.ctx, agent, down.ID, ticket.AppealOverturned, decisionNote)
	if err != nil {
		t.Fatal(err)
	}
	if got.Priority != ticket.Urgent || got.OriginalPriority != ticket.Urgent || got.AppealState != ticket.AppealOverturned || got.PriorityReason != "" {
		t.Fatalf("ticket = %s (original %s) appeal %q reason %q", got.Priority, got.OriginalPriority, got.AppealState, got.PriorityReason)
	}
	if got.CanAppeal() {
		t.Fatalf("an overturned ticket can be appealed again")
	}
	if got, want := queue(), []string{"Site down", "Site slow", "Question"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("queue after overturning = %v, want %v", got, want)
	}
	if got, err := f.svc.FindQueue(f.ctx, agent, ticket.Filter{Priority: ticket.Urgent}); err != nil || len(got) != 1 || got[0].ID != down.ID {
		t.Fatalf("urgent filter after overturning = %v, %v", subjects(got), err)
	}
	ev := f.wantAudit("ticket.appeal_decided", down.ID, agent)
	if ev.Details["outcome"] != "overturned" || ev.Details["priority"] != "urgent" {
		t.Fatalf("audit details = %v", ev.Details)
	}
	_, err = f.svc.DecideAppeal(f.ctx, agent, slow.ID, ticket.AppealOverturned, decisionNote)
	wantKind(t, err, helpline.KindConflict)

	t.Run("urgent only for production", func(t *testing.T) {
		in := basic("Staging broken", ticket.High)
		in.Environment = "staging"
		st := f.open(alice, in)
		_, err := f.svc.ChangePriority(f.ctx, agent, st.ID, ticket.Urgent, "Raising this because it blocks a launch.")
		he := wantFields(t, err, "priority")
		if !strings.Contains(he.Fields["priority"], "production") {
			t.Fatalf("priority = %q", he.Fields["priority"])
		}
	})
	t.Run("closed tickets", func(t *testing.T) {
		f.update(agent, question.ID, ticket.Update{Status: statusPtr(ticket.StatusClosed)})
		_, err := f.svc.ChangePriority(f.ctx, agent, question.ID, ticket.Low, staffReason)
		wantKind(t, err, helpline.KindConflict)
	})
}
