package oncall

import (
	"context"
	"database/sql"
	"time"
)

// escalateBatch bounds the pages one Escalate pass takes on; the periodic
// job comes back for the rest.
const escalateBatch = 500

// Escalate moves every unacknowledged page whose level timed out to its
// next level (after the last, back to the first while the policy repeats)
// and delivers it there. Each page escalates in its own transaction with a
// conditional update, so two processes running this at once escalate each
// page exactly once. It returns how many pages escalated.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	now := s.nowUTC()
	rows, err := s.db.QueryContext(ctx, `SELECT id, level, cycle FROM pages
		WHERE status = 'triggered' AND escalate_at IS NOT NULL AND escalate_at <= $1
		ORDER BY escalate_at, id LIMIT $2`, now, escalateBatch)
	if err != nil {
		return 0, err
	}
	type due struct{ id, level, cycle int64 }
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.level, &d.cycle); err != nil {
			rows.Close()
			return 0, err
		}
		dues = append(dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, d := range dues {
		var moved bool
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			moved, err = s.escalateOne(ctx, tx, d.id, int(d.level), int(d.cycle), now)
			return err
		})
		if err != nil {
			return n, err
		}
		if moved {
			n++
		}
	}
	return n, nil
}

// escalateOne advances one page from (level, cycle), unless someone else
// did or it was acknowledged meanwhile.
func (s *Service) escalateOne(ctx context.Context, tx *sql.Tx, id int64, level, cycle int, now time.Time) (bool, error) {
	p, err := s.findPage(ctx, tx, id)
	if err != nil {
		return false, err
	}
	var levels []Level
	if p.PolicyID != nil {
		if levels, err = s.policyLevels(ctx, tx, *p.PolicyID); err != nil {
			return false, err
		}
	}
	repeats, err := policyRepeats(ctx, tx, p.PolicyID)
	if err != nil {
		return false, err
	}
	next, nextCycle := level+1, cycle
	if next >= len(levels) {
		next, nextCycle = 0, cycle+1
	}
	if len(levels) == 0 || nextCycle > repeats {
		// Nothing left to try (the policy changed since the page was
		// sent): stop escalating rather than looping.
		_, err := tx.ExecContext(ctx, `UPDATE pages SET escalate_at = NULL WHERE id = $1 AND status = 'triggered' AND level = $2 AND cycle = $3`, id, level, cycle)
		return false, err
	}
	// The condition is what makes escalation exactly-once: a second process
	// holding the same stale row updates nothing (PostgreSQL re-checks the
	// row after the first commit; SQLite has one writer).
	res, err := tx.ExecContext(ctx, `UPDATE pages SET level = $4, cycle = $5
		WHERE id = $1 AND status = 'triggered' AND level = $2 AND cycle = $3 AND escalate_at IS NOT NULL AND escalate_at <= $6`,
		id, level, cycle, next, nextCycle, now)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	p.Level, p.Cycle = next, nextCycle
	reached, err := s.deliverLevel(ctx, tx, &p, now)
	if err != nil {
		return false, err
	}
	return true, s.ticketEvent(ctx, tx, ticketIDOf(p), nil, "page_escalated", map[string]any{
		"page_id": p.ID, "level": next + 1, "cycle": nextCycle + 1, "reached": reached,
	})
}
