package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

// SeedTickets bulk-inserts count synthetic tickets for load tests and
// benchmarks (`helpline admin seed-tickets`): spread over a few
// organizations of every plan, all priorities and statuses, and the last
// year. It bypasses validation and redaction, so it is for test data only.
func (s *Service) SeedTickets(ctx context.Context, count int, seed uint64, progress func(done int)) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	type orgUser struct {
		org      account.Organization
		userID   int64
		planRank int
	}
	var owners []orgUser
	for i, plan := range account.Plans {
		for j := 0; j < 2; j++ {
			name := fmt.Sprintf("Load Test %s %d", plan.Label(), j+1)
			org, err := s.accounts.FindOrganizationByName(ctx, account.CLI(), name)
			if err != nil {
				if org, err = s.accounts.CreateOrganization(ctx, account.CLI(), account.OrgInput{Name: name, Plan: plan}); err != nil {
					return err
				}
			}
			email := fmt.Sprintf("load-%d-%d@loadtest.invalid", i, j)
			u, err := s.accounts.FindUserByEmail(ctx, account.CLI(), email)
			if err != nil {
				if u, err = s.accounts.CreateUser(ctx, account.CLI(), account.UserInput{Email: email, Name: "Load Tester", Password: "load-test-password", OrgID: org.ID, OrgRole: account.OrgOwner}); err != nil {
					return err
				}
			}
			rank := 1
			if plan.IsEnterprise() {
				rank = 0
			}
			owners = append(owners, orgUser{org, u.ID, rank})
		}
	}
	var next int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(number), 1000) + 1 FROM tickets`).Scan(&next); err != nil {
		return err
	}
	subjects := []string{"H12 timeouts on checkout", "Build fails at asset compilation", "R14 memory quota exceeded", "Custom domain SSL pending",
		"Postgres connection limit reached", "How do I rotate credentials?", "Dyno restarts every night", "Slow response times in EU"}
	statuses := []Status{StatusNew, StatusOpen, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusSolved, StatusClosed, StatusClosed, StatusClosed}
	now := s.nowUTC()
	// One prepared statement per transaction of a few thousand rows: SQLite
	// parses it once, and each transaction is one fsync.
	const batch = 5000
	for done := 0; done < count; {
		n := min(batch, count-done)
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO tickets (number, org_id, requester_id, subject, description, environment, category, status,
				priority, original_priority, plan_rank, priority_rank, redactions, created_at, updated_at, appeal_state, sla_due_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, 0, $12, $12, '', $13)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i := 0; i < n; i++ {
				o := owners[rng.IntN(len(owners))]
				p := Priorities[rng.IntN(len(Priorities))]
				created := db.Time(now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))))
				st := statuses[rng.IntN(len(statuses))]
				if _, err := stmt.ExecContext(ctx, next, o.org.ID, o.userID, subjects[rng.IntN(len(subjects))], "Generated for load testing.",
					Production, Categories[rng.IntN(len(Categories))].Slug, st,
					p, o.planRank, p.Rank(), created, seedDue(rng, st, p, created)); err != nil {
					return err
				}
				next++
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
		if progress != nil {
			progress(done)
		}
	}
	if s.db.Dialect == db.Postgres {
		_, err := s.db.ExecContext(ctx, `ANALYZE tickets`)
		return err
	}
	_, err := s.db.ExecContext(ctx, `ANALYZE`)
	return err
}

// seedTargets are typical first-response targets by priority, for seeded
// due times.
var seedTargets = map[Priority]time.Duration{Urgent: time.Hour, High: 4 * time.Hour, Normal: 24 * time.Hour, Low: 72 * time.Hour}

// seedDue gives a seeded ticket the due time the SLA clock would: none
// once solved or while paused on the customer, none for a share of low
// tickets (plans without a target), else its target after opening, give or
// take (some met and restarted, some breached long ago).
func seedDue(rng *rand.Rand, st Status, p Priority, created time.Time) *time.Time {
	if !st.Active() || st == StatusPending || st == StatusOnHold || (p == Low && rng.IntN(4) == 0) {
		return nil
	}
	due := db.Time(created.Add(seedTargets[p] + time.Duration(rng.Int64N(int64(seedTargets[p])))))
	return &due
}
