package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// recorder is an observer that writes down what it saw, and can refuse.
type recorder struct {
	seen []string
	fail bool
}

func (r *recorder) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	if r.fail {
		return errors.New("observer refused")
	}
	// The observer sees the ticket as it is after the step, in the step's
	// transaction: reading through tx must agree.
	var status, priority string
	if err := tx.QueryRowContext(ctx, `SELECT status, priority FROM tickets WHERE id = $1`, c.Ticket.ID).Scan(&status, &priority); err != nil {
		return err
	}
	if status != string(c.Ticket.Status) || priority != string(c.Ticket.Priority) {
		return fmt.Errorf("%s: change says %s/%s, the database %s/%s", c.Kind, c.Ticket.Status, c.Ticket.Priority, status, priority)
	}
	r.seen = append(r.seen, fmt.Sprintf("%s %s>%s %s", c.Kind, c.From, c.To, c.Reason))
	return nil
}

func TestObserversFollowEveryStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := &recorder{}
	f.svc.Observe(rec)
	org := f.org("Acme", account.PlanPremier)
	owner := f.customer("owner", org, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)

	tk := f.open(owner, basic("Deploys fail", ticket.High))
	f.clock.Advance(time.Minute)
	if _, err := f.svc.AddComment(f.ctx, agent, tk.ID, ticket.NewComment{Body: "Looking now.", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddComment(f.ctx, agent, tk.ID, ticket.NewComment{Body: "Which buildpack do you use?"}); err != nil {
		t.Fatal(err)
	}
	f.update(agent, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusPending)})
	if _, err := f.svc.AddComment(f.ctx, owner, tk.ID, ticket.NewComment{Body: "The Node.js one."}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChangePriority(f.ctx, agent, tk.ID, ticket.Normal, "a workaround exists: deploy from the CLI"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Appeal(f.ctx, owner, tk.ID, "the CLI deploy fails too, nothing ships"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DecideAppeal(f.ctx, agent, tk.ID, ticket.AppealOverturned, "confirmed, the CLI fails as well"); err != nil {
		t.Fatal(err)
	}
	f.update(owner, tk.ID, ticket.Update{Status: statusPtr(ticket.StatusSolved)})

	want := []string{
		"created > ",
		"staff_replied > ", // the internal note is not a reply
		"status_changed new>open ",
		"status_changed open>pending ",
		"customer_replied > ",
		"status_changed pending>open ",
		"priority_changed high>normal priority_changed",
		"priority_changed normal>high appeal_overturned",
		"status_changed open>solved ",
	}
	if !reflect.DeepEqual(rec.seen, want) {
		t.Fatalf("observed\n%q\nwant\n%q", rec.seen, want)
	}
	got, err := f.svc.FindTicketByID(f.ctx, agent, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("first_response_at = %v, want the first public staff reply at %v", got.FirstResponseAt, t0.Add(time.Minute))
	}

	// An observer's error undoes the whole step.
	rec.fail = true
	if _, err := f.svc.AddComment(f.ctx, owner, tk.ID, ticket.NewComment{Body: "It is back."}); err == nil {
		t.Fatal("a reply whose observer failed was accepted")
	}
	if n := f.count(`SELECT count(*) FROM ticket_comments WHERE ticket_id = $1 AND body = 'It is back.'`, tk.ID); n != 0 {
		t.Fatalf("the refused reply was stored (%d)", n)
	}
	if err := f.createErr(owner, basic("Another one", ticket.Low)); err == nil {
		t.Fatal("unreachable")
	}
}

func TestQueueOrdersByDueTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	org := f.org("Acme", account.PlanPremier)
	owner := f.customer("owner", org, account.OrgOwner)
	agent := f.staff("agent", helpline.RoleAgent)
	var ids []int64
	for _, s := range []string{"no clock", "due late", "due soon", "older no clock"} {
		f.clock.Advance(-time.Minute) // each one older than the last
		ids = append(ids, f.open(owner, basic(s, ticket.High)).ID)
	}
	// Same plan and priority: the earliest due first, tickets without a
	// running clock after them, oldest first.
	for i, due := range map[int]time.Time{1: t0.Add(3 * time.Hour), 2: t0.Add(time.Hour)} {
		if _, err := f.db.ExecContext(f.ctx, `UPDATE tickets SET sla_due_at = $1 WHERE id = $2`, due, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.svc.FindQueue(f.ctx, agent, ticket.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"due soon", "due late", "older no clock", "no clock"}; !reflect.DeepEqual(subjects(got), want) {
		t.Fatalf("queue = %v, want %v", subjects(got), want)
	}
	if got[0].SLADueAt == nil || !got[0].SLADueAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("sla_due_at = %v, want %v", got[0].SLADueAt, t0.Add(time.Hour))
	}
}
