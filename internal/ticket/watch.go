package ticket

import (
	"context"
	"database/sql"

	"github.com/helpline-dev/helpline"
)

// Watch makes a staff member a watcher of a ticket (or stops it): watchers
// get the customers' replies by email, like the assignee.
func (s *Service) Watch(ctx context.Context, actor *helpline.Actor, ticketID int64, on bool) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.findTicket(ctx, tx, actor, ticketID); err != nil {
			return err
		}
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO ticket_watchers (ticket_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (ticket_id, user_id) DO NOTHING`,
				ticketID, actor.UserID, s.nowUTC())
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM ticket_watchers WHERE ticket_id = $1 AND user_id = $2`, ticketID, actor.UserID)
		}
		return err
	})
}

// Watchers lists the names of the staff watching a ticket, and whether the
// actor is one of them. Staff only.
func (s *Service) Watchers(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]string, bool, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, false, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.name FROM ticket_watchers w JOIN users u ON u.id = w.user_id WHERE w.ticket_id = $1 ORDER BY w.created_at, u.id`, ticketID)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var names []string
	me := false
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, false, err
		}
		names = append(names, name)
		me = me || id == actor.UserID
	}
	return names, me, rows.Err()
}
