package ticket_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/jobs"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// BenchmarkQueueFirstPage measures the staff queue's first page with a
// million tickets (HELPLINE_BENCH_TICKETS changes the count). Seeding takes
// a while; it happens once, before the timer.
func BenchmarkQueueFirstPage(b *testing.B) {
	count := 1_000_000
	if s := os.Getenv("HELPLINE_BENCH_TICKETS"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	d := dbtest.Open(b)
	ins, err := jobs.NewInserter(d, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	accounts := account.NewService(d, ins, account.Options{Hasher: apptest.FastHasher})
	svc := ticket.NewService(d, accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{})
	if err := svc.SeedTickets(ctx, count, 1, nil); err != nil {
		b.Fatal(err)
	}
	agent, err := accounts.CreateUser(ctx, account.CLI(), account.UserInput{Email: "agent@helpline.test", Name: "Agent", Password: apptest.Password, StaffRole: helpline.RoleAgent})
	if err != nil {
		b.Fatal(err)
	}
	actor := agent.Actor("")
	for _, bc := range []struct {
		name string
		f    ticket.Filter
	}{
		{"default", ticket.Filter{}},
		{"unassigned", ticket.Filter{Assignee: "unassigned"}},
		{"status=pending", ticket.Filter{Status: []ticket.Status{ticket.StatusPending}}},
		{"priority=urgent", ticket.Filter{Priority: ticket.Urgent}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				page, err := svc.FindQueue(ctx, actor, bc.f)
				if err != nil || len(page) != 50 {
					b.Fatalf("%d tickets, %v", len(page), err)
				}
			}
		})
	}
}
