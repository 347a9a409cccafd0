package sla_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/jobs"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// benchWorld seeds open tickets (HELPLINE_BENCH_SLA_TICKETS, default
// 100,000) with a running first-response clock each on the business-hours
// calendar, as the clock would have started them.
func benchWorld(b *testing.B) (*sla.Service, *db.DB, int64, int) {
	b.Helper()
	count := 100_000
	if s := os.Getenv("HELPLINE_BENCH_SLA_TICKETS"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	d := dbtest.Open(b)
	clock := &fakeClock{now: t0}
	ins, err := jobs.NewInserter(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	accounts := account.NewService(d, ins, account.Options{Now: clock.Now, Hasher: account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}})
	tickets := ticket.NewService(d, accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{Now: clock.Now})
	s := sla.NewService(d, accounts, sla.Options{Now: clock.Now, Jobs: ins, Alerts: &notify.Outbox{Jobs: ins, Now: clock.Now}})
	if _, err := accounts.CreateUser(ctx, account.CLI(), account.UserInput{Email: "agent@helpline.test", Name: "Agent", Password: "correct horse battery", StaffRole: helpline.RoleAgent}); err != nil {
		b.Fatal(err)
	}
	if err := tickets.SeedTickets(ctx, count, 1, nil); err != nil {
		b.Fatal(err)
	}
	var calID int64
	if err := d.QueryRowContext(ctx, `SELECT id FROM sla_calendars WHERE name = 'Business hours'`).Scan(&calID); err != nil {
		b.Fatal(err)
	}
	// Every ticket is open, with a clock that started when it was opened.
	if _, err := d.ExecContext(ctx, `UPDATE tickets SET status = 'open'`); err != nil {
		b.Fatal(err)
	}
	if _, err := d.ExecContext(ctx, `INSERT INTO ticket_sla_targets (ticket_id, metric, plan, priority, target_minutes, calendar_id, warn_minutes, started_at, due_at, warn_at, state, reason, created_at)
		SELECT id, 'first_response', 'standard', priority, 540, $1, 60, created_at, $2, $3, 'running', 'created', created_at FROM tickets`, calID, t0.Add(365*24*time.Hour), t0.Add(364*24*time.Hour)); err != nil {
		b.Fatal(err)
	}
	return s, d, calID, count
}

// BenchmarkRecomputeCalendar measures the job that follows a calendar edit:
// new due times for every running clock on it, and the queue order.
func BenchmarkRecomputeCalendar(b *testing.B) {
	s, _, calID, count := benchWorld(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		n, err := s.Recompute(ctx, calID)
		if err != nil || n != count {
			b.Fatalf("recomputed %d of %d: %v", n, count, err)
		}
	}
	b.ReportMetric(float64(count), "clocks/op")
}

// BenchmarkSweep measures the periodic sweep over the running clocks: when
// nothing is due (most minutes), and when 1,000 breach at once.
func BenchmarkSweep(b *testing.B) {
	s, d, _, _ := benchWorld(b)
	ctx := context.Background()
	b.Run("nothing-due", func(b *testing.B) {
		for b.Loop() {
			if got, err := s.Sweep(ctx); err != nil || got != (sla.Swept{}) {
				b.Fatalf("swept %+v, %v", got, err)
			}
		}
	})
	b.Run("1000-breached", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			// 1,000 clocks fall due; the ones breached before are reset.
			if _, err := d.ExecContext(ctx, `UPDATE ticket_sla_targets SET breached_at = NULL, warned_at = NULL, due_at = $1 WHERE id <= 1000`, t0.Add(-time.Minute)); err != nil {
				b.Fatal(err)
			}
			if _, err := d.ExecContext(ctx, `DELETE FROM mail_outbox`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if got, err := s.Sweep(ctx); err != nil || got.Breached != 1000 {
				b.Fatalf("swept %+v, %v", got, err)
			}
		}
	})
}
