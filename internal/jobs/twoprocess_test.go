package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/demo"
	"github.com/helpline-dev/helpline/internal/jobs"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestTwoProcessesRecordOnce runs two server processes on one database,
// each with its own River client working jobs, and hands them many SLA
// sweeps and escalation runs at once: every warning, breach and escalation
// is still recorded exactly once. On PostgreSQL the two clients really do
// work in parallel.
func TestTwoProcessesRecordOnce(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)} // a Tuesday, in business hours in New York
	one := apptest.New(t, apptest.Options{Now: clk.Now})
	// The demo: staff, an on-call schedule and policy, and tickets on every
	// plan, among them an urgent Premier ticket that pages.
	if _, err := demo.Load(ctx, demo.Services{Accounts: one.App.Accounts, Tickets: one.App.Tickets, Inbox: one.App.Inbox, Oncall: one.App.Oncall, SLA: one.App.SLA, Now: clk.Now}); err != nil {
		t.Fatal(err)
	}
	two := apptest.New(t, apptest.Options{Now: clk.Now, DB: one.App.DB})
	d := one.App.DB
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := d.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(`SELECT count(*) FROM pages WHERE status = 'triggered'`) == 0 {
		t.Fatal("the demo's urgent Premier ticket did not page")
	}
	// Three days later many clocks are past due and the page has waited
	// past its first level.
	clk.Advance(72 * time.Hour)
	running := count(`SELECT count(*) FROM ticket_sla_targets WHERE state = 'running' AND due_at <= $1`, clk.Now())
	if running == 0 {
		t.Fatal("no demo SLA clock is past due")
	}
	var batch []river.InsertManyParams
	for range 20 {
		batch = append(batch, river.InsertManyParams{Args: jobs.SLASweepArgs{}}, river.InsertManyParams{Args: jobs.EscalatePagesArgs{}, InsertOpts: &river.InsertOpts{Queue: "pages"}})
	}
	if _, err := one.App.Jobs.InsertMany(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*apptest.Env{one, two} {
		if err := a.App.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for count(`SELECT count(*) FROM river_job WHERE kind IN ('sla_sweep', 'escalate_pages') AND finalized_at IS NULL`) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the sweeps did not finish within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(`SELECT count(*) FROM river_job WHERE kind IN ('sla_sweep', 'escalate_pages') AND state <> 'completed'`); n != 0 {
		t.Fatalf("%d sweep jobs failed", n)
	}
	breached := count(`SELECT count(*) FROM ticket_sla_targets WHERE state = 'running' AND breached_at IS NOT NULL`)
	t.Logf("%d clocks breached", breached)
	if breached != running {
		t.Fatalf("%d of %d past-due clocks marked breached", breached, running)
	}
	if n := count(`SELECT count(*) FROM ticket_events WHERE kind = 'sla_breached'`); n != breached {
		t.Fatalf("%d breach events for %d breaches", n, breached)
	}
	if n := count(`SELECT count(*) FROM (SELECT ticket_id, data FROM ticket_events WHERE kind = 'sla_breached' GROUP BY ticket_id, data HAVING count(*) > 1) dup`); n != 0 {
		t.Fatalf("%d breaches recorded more than once", n)
	}
	// A clock already past due when swept gets its breach, not a warning.
	if n := count(`SELECT count(*) FROM ticket_events WHERE kind = 'sla_warning'`); n != 0 {
		t.Fatalf("%d warnings for clocks that were already breached", n)
	}
	// One clock reading moves a page one level, however many runs see it.
	if n := count(`SELECT count(*) FROM ticket_events WHERE kind = 'page_escalated'`); n != 1 {
		t.Fatalf("%d escalation events, want 1", n)
	}
	if n := count(`SELECT count(*) FROM pages WHERE level = 1`); n != 1 {
		t.Fatalf("%d pages at level 2, want 1", n)
	}
}
