package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline/internal/ticket"
)

// TicketIndexer keeps tickets in the index for staff search: it follows
// every ticket step in the step's transaction.
type TicketIndexer struct {
	Index Index
}

// TicketChanged implements ticket.Observer: it puts the ticket as it is
// after the step, its conversation (internal notes included: only staff
// search tickets) in the body.
func (t TicketIndexer) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	tk := c.Ticket
	body := []string{PlainText(tk.Description)}
	rows, err := tx.QueryContext(ctx, `SELECT body FROM ticket_comments WHERE ticket_id = $1 ORDER BY created_at, id`, tk.ID)
	if err != nil {
		return fmt.Errorf("index ticket %d: %w", tk.Number, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		body = append(body, PlainText(s))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	tags := []string{tk.Category, string(tk.Priority), tk.OrgName}
	if tk.AppName != "" {
		tags = append(tags, tk.AppName)
	}
	number := strconv.FormatInt(tk.Number, 10)
	return t.Index.Put(ctx, tx, Doc{
		Kind:      KindTicket,
		ID:        tk.ID,
		Title:     "#" + number + " " + tk.Subject,
		Tags:      tags,
		Body:      strings.Join(body, "\n"),
		URL:       "/tickets/" + number,
		Audience:  AudienceStaff,
		UpdatedAt: latest(tk.UpdatedAt, c.At),
	})
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
