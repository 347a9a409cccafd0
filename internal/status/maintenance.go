package status

import (
	"context"
	"database/sql"

	"github.com/helpline-dev/helpline"
)

// The texts of the updates the maintenance job posts, as Statuspage words
// them.
const (
	startedBody   = "Scheduled maintenance is now in progress. We will provide updates as necessary."
	completedBody = "The scheduled maintenance has been completed."
)

// RunMaintenance starts the scheduled maintenance whose window has begun
// and completes the ones whose window has ended (AutoTransition only);
// a periodic job calls it. It returns how many it moved.
//
// Each move is its own transaction whose update is conditional on the
// status the maintenance had when it was picked, so when several
// processes run the job at once exactly one of them moves it.
func (s *Service) RunMaintenance(ctx context.Context) (int, error) {
	moved := 0
	steps := []struct {
		query string
		to    IncidentStatus
		body  string
	}{
		{`SELECT id, status FROM incidents WHERE kind = 'maintenance' AND auto_transition AND status = 'scheduled' AND scheduled_for <= $1 ORDER BY scheduled_for, id`,
			InProgress, startedBody},
		{`SELECT id, status FROM incidents WHERE kind = 'maintenance' AND auto_transition AND status IN ('in_progress', 'verifying') AND scheduled_until <= $1 ORDER BY scheduled_until, id`,
			Completed, completedBody},
	}
	for _, step := range steps {
		due, err := s.dueMaintenance(ctx, step.query)
		if err != nil {
			return moved, err
		}
		for _, d := range due {
			ok := false
			err := s.db.InTx(ctx, func(tx *sql.Tx) error {
				_, err := s.postUpdate(ctx, tx, nil, d.id, UpdateInput{Status: step.to, Body: step.body, Notify: true}, d.status)
				if helpline.KindOf(err) == helpline.KindNotFound {
					return nil // another process moved it first
				}
				ok = err == nil
				return err
			})
			if err != nil {
				return moved, err
			}
			if ok {
				moved++
				s.changed()
			}
		}
	}
	return moved, nil
}

type dueItem struct {
	id     int64
	status IncidentStatus
}

func (s *Service) dueMaintenance(ctx context.Context, query string) ([]dueItem, error) {
	rows, err := s.db.QueryContext(ctx, query, s.nowUTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dueItem
	for rows.Next() {
		var d dueItem
		if err := rows.Scan(&d.id, &d.status); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
