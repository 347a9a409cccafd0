package sla

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Report is how support kept its targets over a period.
type Report struct {
	From time.Time   `json:"from"` // inclusive
	To   time.Time   `json:"to"`   // exclusive
	Rows []ReportRow `json:"rows"`
}

// ReportRow is one plan and priority of a report.
type ReportRow struct {
	Plan     account.Plan    `json:"plan"`
	Priority ticket.Priority `json:"priority"`
	Metrics  []MetricStats   `json:"metrics"`
	// FirstResponse is about the tickets opened in the period.
	FirstResponse FirstResponseStats `json:"first_response"`
	// Acknowledge is about the pages of those tickets.
	Acknowledge AcknowledgeStats `json:"acknowledge"`
}

// MetricStats counts the clocks of one metric that started in the period
// and have an outcome: met (in time or late) or breached. Clocks still
// running within their target, and those cancelled before breaching (the
// priority changed), are not counted.
type MetricStats struct {
	Metric   Metric `json:"metric"`
	Targets  int    `json:"targets"`
	Met      int    `json:"met"`      // within target
	Breached int    `json:"breached"` // past target, met late or not at all
	// ShareMet is Met/Targets, nil when nothing was counted.
	ShareMet *float64 `json:"share_met"`
}

// FirstResponseStats is the time from opening a ticket to the first public
// staff reply.
type FirstResponseStats struct {
	Tickets       int    `json:"tickets"`   // opened in the period
	Responded     int    `json:"responded"` // of those, answered
	MedianSeconds *int64 `json:"median_seconds"`
	P90Seconds    *int64 `json:"p90_seconds"`
}

// AcknowledgeStats is the time from paging on-call about a ticket to the
// page's acknowledgement.
type AcknowledgeStats struct {
	Pages         int    `json:"pages"`
	Acknowledged  int    `json:"acknowledged"`
	MedianSeconds *int64 `json:"median_seconds"`
}

// maxReportDays bounds a report's period.
const maxReportDays = 366

// Report sums up the period [from, to) per plan and priority: for each
// metric the clocks that started in it, and the response and acknowledgement
// times of the tickets opened in it. Staff only.
func (s *Service) Report(ctx context.Context, actor *helpline.Actor, from, to time.Time) (Report, error) {
	if err := actor.RequireStaff(); err != nil {
		return Report{}, err
	}
	v := helpline.Validation{}
	v.Check(to.After(from), "to", "must be after from")
	v.Check(to.Sub(from) <= maxReportDays*24*time.Hour, "from", "the period can be at most a year long")
	if err := v.Err(); err != nil {
		return Report{}, err
	}
	from, to = db.Time(from), db.Time(to)
	r := Report{From: from, To: to}
	type key struct {
		plan     account.Plan
		priority ticket.Priority
	}
	rows := map[key]*ReportRow{}
	row := func(p account.Plan, pr ticket.Priority) *ReportRow {
		k := key{p, pr}
		if rows[k] == nil {
			rows[k] = &ReportRow{Plan: p, Priority: pr, Metrics: []MetricStats{}}
		}
		return rows[k]
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		q, err := tx.QueryContext(ctx, `SELECT plan, priority, metric,
				count(*),
				coalesce(sum(CASE WHEN state = 'met' AND breached_at IS NULL THEN 1 ELSE 0 END), 0),
				coalesce(sum(CASE WHEN breached_at IS NOT NULL THEN 1 ELSE 0 END), 0)
			FROM ticket_sla_targets
			WHERE started_at >= $1 AND started_at < $2 AND (breached_at IS NOT NULL OR state = 'met')
			GROUP BY plan, priority, metric`, from, to)
		if err != nil {
			return err
		}
		for q.Next() {
			var p account.Plan
			var pr ticket.Priority
			var m MetricStats
			if err := q.Scan(&p, &pr, &m.Metric, &m.Targets, &m.Met, &m.Breached); err != nil {
				q.Close()
				return err
			}
			if m.Targets > 0 {
				share := float64(m.Met) / float64(m.Targets)
				m.ShareMet = &share
			}
			rr := row(p, pr)
			rr.Metrics = append(rr.Metrics, m)
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}

		durations := map[key][]time.Duration{}
		q, err = tx.QueryContext(ctx, `SELECT o.plan, t.priority, t.created_at, t.first_response_at
			FROM tickets t JOIN organizations o ON o.id = t.org_id
			WHERE t.created_at >= $1 AND t.created_at < $2`, from, to)
		if err != nil {
			return err
		}
		for q.Next() {
			var k key
			var created time.Time
			var first sql.NullTime
			if err := q.Scan(&k.plan, &k.priority, &created, &first); err != nil {
				q.Close()
				return err
			}
			rr := row(k.plan, k.priority)
			rr.FirstResponse.Tickets++
			if first.Valid {
				rr.FirstResponse.Responded++
				durations[k] = append(durations[k], first.Time.Sub(created))
			}
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
		for k, ds := range durations {
			rr := rows[k]
			rr.FirstResponse.MedianSeconds = percentile(ds, 50)
			rr.FirstResponse.P90Seconds = percentile(ds, 90)
		}

		acks := map[key][]time.Duration{}
		q, err = tx.QueryContext(ctx, `SELECT o.plan, t.priority, p.triggered_at, p.acknowledged_at
			FROM pages p JOIN tickets t ON t.id = p.ticket_id JOIN organizations o ON o.id = t.org_id
			WHERE t.created_at >= $1 AND t.created_at < $2`, from, to)
		if err != nil {
			return err
		}
		for q.Next() {
			var k key
			var trig time.Time
			var ack sql.NullTime
			if err := q.Scan(&k.plan, &k.priority, &trig, &ack); err != nil {
				q.Close()
				return err
			}
			rr := row(k.plan, k.priority)
			rr.Acknowledge.Pages++
			if ack.Valid {
				rr.Acknowledge.Acknowledged++
				acks[k] = append(acks[k], ack.Time.Sub(trig))
			}
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
		for k, ds := range acks {
			rows[k].Acknowledge.MedianSeconds = percentile(ds, 50)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Rows = []ReportRow{}
	for _, p := range account.Plans {
		for _, pr := range ticket.Priorities {
			rr := rows[key{p, pr}]
			if rr == nil {
				continue
			}
			slices.SortFunc(rr.Metrics, func(a, b MetricStats) int { return slices.Index(Metrics, a.Metric) - slices.Index(Metrics, b.Metric) })
			r.Rows = append(r.Rows, *rr)
		}
	}
	return r, nil
}

// percentile is the nearest-rank percentile of ds in whole seconds; nil
// when ds is empty.
func percentile(ds []time.Duration, p int) *int64 {
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	rank := (p*len(ds) + 99) / 100 // ceil(p/100 * n)
	rank = max(rank, 1)
	v := int64(ds[rank-1] / time.Second)
	return &v
}

// ReportPeriod reads a report's period from dates "YYYY-MM-DD" (UTC days,
// both included): by default the last 30 days up to today.
func (s *Service) ReportPeriod(from, to string) (time.Time, time.Time, error) {
	v := helpline.Validation{}
	today := s.now().UTC().Truncate(24 * time.Hour)
	end := today.AddDate(0, 0, 1)
	if to != "" {
		d, err := time.Parse("2006-01-02", to)
		if err != nil {
			v.Add("to", "write the date as YYYY-MM-DD, e.g. 2026-03-31")
		}
		end = d.AddDate(0, 0, 1)
	}
	start := end.AddDate(0, 0, -30)
	if from != "" {
		d, err := time.Parse("2006-01-02", from)
		if err != nil {
			v.Add("from", "write the date as YYYY-MM-DD, e.g. 2026-03-01")
		}
		start = d
	}
	if len(v) == 0 && !end.After(start) {
		v.Add("to", "must not be before from")
	}
	if len(v) == 0 && end.Sub(start) > maxReportDays*24*time.Hour {
		v.Add("from", "the period can be at most a year long")
	}
	return start, end, v.Err()
}
