package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline"
)

// FanOutArgs is the job that turns one notification into one delivery job
// per matching subscriber.
type FanOutArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job for River.
func (FanOutArgs) Kind() string { return "status_fanout" }

// InsertOpts retries a failed fan-out for a long while: it resumes where
// it stopped, and every step is idempotent.
func (FanOutArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 25} }

// DeliverArgs is the job that sends one notification to one subscriber.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job for River.
func (DeliverArgs) Kind() string { return "status_deliver" }

// InsertOpts: deliveries run after other work of their queue (priority 2),
// so a large fan-out does not hold up password resets and ticket email, and
// retry for about a day, like other email.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	// Their own queue, so a fan-out to 100,000 subscribers does not hold
	// up ticket emails and pages.
	return river.InsertOpts{MaxAttempts: 25, Priority: 2, Queue: "status_notify"}
}

// BatchInserter inserts many jobs in the caller's transaction; River's
// client is one.
type BatchInserter interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// FanOutBatch is how many subscribers one fan-out transaction handles.
const FanOutBatch = 1000

// payload is what every delivery of a notification says: read once by the
// fan-out and kept on the notification, so deliveries agree and do not
// each read the incident.
type payload struct {
	Event    string          `json:"event"`
	Incident webhookIncident `json:"incident"`
	Update   *webhookUpdate  `json:"update"`
}

// webhookIncident is the incident in a notification.
type webhookIncident struct {
	ID             int64             `json:"id"`
	Kind           Kind              `json:"kind"`
	Name           string            `json:"name"`
	Status         IncidentStatus    `json:"status"`
	Impact         Impact            `json:"impact"`
	URL            string            `json:"url"`
	Components     []ComponentChange `json:"components"`
	ScheduledFor   *time.Time        `json:"scheduled_for,omitempty"`
	ScheduledUntil *time.Time        `json:"scheduled_until,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	ResolvedAt     *time.Time        `json:"resolved_at,omitempty"`
}

// webhookUpdate is the update a notification is about.
type webhookUpdate struct {
	ID        int64          `json:"id"`
	Status    IncidentStatus `json:"status"`
	Body      string         `json:"body"`
	CreatedAt time.Time      `json:"created_at"`
}

// buildPayload reads the notification's incident; ok is false when the
// incident is gone and there is nothing to say.
func (s *Service) buildPayload(ctx context.Context, kind string, incidentID, updateID int64) (p payload, componentIDs []int64, ok bool, err error) {
	inc, err := s.FindIncident(ctx, incidentID)
	if helpline.KindOf(err) == helpline.KindNotFound {
		return p, nil, false, nil
	}
	if err != nil {
		return p, nil, false, err
	}
	p = payload{Event: kind, Incident: webhookIncident{
		ID: inc.ID, Kind: inc.Kind, Name: inc.Name, Status: inc.Status, Impact: inc.Impact, URL: s.link(fmt.Sprintf("/incidents/%d", inc.ID)),
		Components: inc.Components, ScheduledFor: inc.ScheduledFor, ScheduledUntil: inc.ScheduledUntil,
		CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt, ResolvedAt: inc.ResolvedAt,
	}}
	if p.Incident.Components == nil {
		p.Incident.Components = []ComponentChange{}
	}
	for _, u := range inc.Updates {
		if u.ID == updateID || (updateID == 0 && p.Update == nil) {
			p.Update = &webhookUpdate{ID: u.ID, Status: u.Status, Body: u.Body, CreatedAt: u.CreatedAt}
			if u.ID == updateID {
				break
			}
		}
	}
	// A subscriber of a group hears about its members and the other way
	// round.
	comps, err := s.FindComponents(ctx)
	if err != nil {
		return p, nil, false, err
	}
	affected := map[int64]bool{}
	for _, c := range inc.Components {
		affected[c.ComponentID] = true
	}
	if p.Update != nil {
		for _, u := range inc.Updates {
			if u.ID == p.Update.ID {
				for _, c := range u.Components {
					affected[c.ComponentID] = true
				}
			}
		}
	}
	for _, c := range comps {
		if affected[c.ID] && c.GroupID != 0 || c.GroupID != 0 && affected[c.GroupID] {
			componentIDs = append(componentIDs, c.ID, c.GroupID)
		} else if affected[c.ID] {
			componentIDs = append(componentIDs, c.ID)
		}
	}
	return p, dedupe(componentIDs), true, nil
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// FanOut creates a notification's deliveries: for each batch of matching
// subscribers, in one transaction, a delivery row per subscriber (unique,
// so a retried batch adds nothing), its job, and how far it got. A crash
// resumes after the last batch committed. Subscribers hear about a
// notification when they confirmed before it was queued and chose one of
// its components, or all; an incident with no components reaches everyone.
// It returns how many deliveries it queued in this run.
func (s *Service) FanOut(ctx context.Context, notificationID int64) (int, error) {
	var kind, raw, compsJSON string
	var incidentID, updateID int64
	var created time.Time
	var done sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT kind, incident_id, update_id, payload, component_ids, created_at, fanned_out_at FROM status_notifications WHERE id = $1`, notificationID).
		Scan(&kind, &incidentID, &updateID, &raw, &compsJSON, &created, &done)
	if errors.Is(err, sql.ErrNoRows) || done.Valid {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var componentIDs []int64
	if raw == "" {
		p, ids, ok, err := s.buildPayload(ctx, kind, incidentID, updateID)
		if err != nil {
			return 0, err
		}
		if !ok {
			_, err := s.db.ExecContext(ctx, `UPDATE status_notifications SET fanned_out_at = $1 WHERE id = $2`, s.nowUTC(), notificationID)
			return 0, err
		}
		b, _ := json.Marshal(p)
		c, _ := json.Marshal(ids)
		if _, err := s.db.ExecContext(ctx, `UPDATE status_notifications SET payload = $1, component_ids = $2 WHERE id = $3`, string(b), string(c), notificationID); err != nil {
			return 0, err
		}
		componentIDs = ids
	} else if err := json.Unmarshal([]byte(compsJSON), &componentIDs); err != nil {
		return 0, fmt.Errorf("notification %d: component ids: %w", notificationID, err)
	}

	total := 0
	for {
		n, more, err := s.fanOutBatch(ctx, notificationID, created, componentIDs)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// fanOutBatch handles the next batch of subscribers in one transaction.
func (s *Service) fanOutBatch(ctx context.Context, notificationID int64, created time.Time, componentIDs []int64) (int, bool, error) {
	queued := 0
	more := false
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT last_subscriber_id FROM status_notifications WHERE id = $1`, notificationID).Scan(&last); err != nil {
			return err
		}
		args := []any{last, created, FanOutBatch}
		match := ""
		if len(componentIDs) > 0 {
			marks := make([]string, len(componentIDs))
			for i, id := range componentIDs {
				args = append(args, id)
				marks[i] = fmt.Sprintf("$%d", len(args))
			}
			match = ` AND (s.all_components OR EXISTS (SELECT 1 FROM status_subscriber_components c WHERE c.subscriber_id = s.id AND c.component_id IN (` +
				strings.Join(marks, ", ") + `)))`
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id FROM status_subscribers s
			WHERE s.id > $1 AND s.confirmed_at IS NOT NULL AND s.confirmed_at <= $2`+match+` ORDER BY s.id LIMIT $3`, args...)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			_, err := tx.ExecContext(ctx, `UPDATE status_notifications SET fanned_out_at = $1 WHERE id = $2`, s.nowUTC(), notificationID)
			return err
		}
		more = len(ids) == FanOutBatch

		// One statement for the batch; $1 and $2 repeat in every row.
		insertArgs := []any{notificationID, s.nowUTC()}
		values := make([]string, len(ids))
		for i, id := range ids {
			insertArgs = append(insertArgs, id)
			values[i] = fmt.Sprintf("($1, $%d, 'queued', $2)", len(insertArgs))
		}
		rows, err = tx.QueryContext(ctx, `INSERT INTO status_deliveries (notification_id, subscriber_id, status, created_at) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (notification_id, subscriber_id) DO NOTHING RETURNING id`, insertArgs...)
		if err != nil {
			return err
		}
		var deliveries []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			deliveries = append(deliveries, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.insertDeliveryJobs(ctx, tx, deliveries); err != nil {
			return err
		}
		queued = len(deliveries)
		_, err = tx.ExecContext(ctx, `UPDATE status_notifications SET last_subscriber_id = $1, deliveries = deliveries + $2 WHERE id = $3`,
			ids[len(ids)-1], queued, notificationID)
		return err
	})
	return queued, more, err
}

// insertDeliveryJobs queues the delivery jobs in one statement when the
// inserter can.
func (s *Service) insertDeliveryJobs(ctx context.Context, tx *sql.Tx, ids []int64) error {
	if s.jobs == nil || len(ids) == 0 {
		return nil
	}
	if many, ok := s.jobs.(BatchInserter); ok {
		params := make([]river.InsertManyParams, len(ids))
		for i, id := range ids {
			params[i] = river.InsertManyParams{Args: DeliverArgs{DeliveryID: id}}
		}
		_, err := many.InsertManyTx(ctx, tx, params)
		return err
	}
	for _, id := range ids {
		if _, err := s.jobs.InsertTx(ctx, tx, DeliverArgs{DeliveryID: id}, nil); err != nil {
			return err
		}
	}
	return nil
}

// NotificationProgress is how far a notification's fan-out and deliveries
// got, for operators.
type NotificationProgress struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	IncidentID int64      `json:"incident_id"`
	UpdateID   int64      `json:"update_id"`
	Queued     int        `json:"queued"`
	Sent       int        `json:"sent"`
	Failed     int        `json:"failed"`
	FannedOut  *time.Time `json:"fanned_out_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// FindNotificationProgress lists an incident's notifications with their
// delivery counts (staff).
func (s *Service) FindNotificationProgress(ctx context.Context, actor *helpline.Actor, incidentID int64) ([]NotificationProgress, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT n.id, n.kind, n.incident_id, n.update_id, n.fanned_out_at, n.created_at,
		COUNT(CASE WHEN d.status IN ('queued', 'retrying') THEN 1 END), COUNT(CASE WHEN d.status = 'sent' THEN 1 END), COUNT(CASE WHEN d.status = 'failed' THEN 1 END)
		FROM status_notifications n LEFT JOIN status_deliveries d ON d.notification_id = n.id
		WHERE n.incident_id = $1 GROUP BY n.id, n.kind, n.incident_id, n.update_id, n.fanned_out_at, n.created_at ORDER BY n.id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []NotificationProgress{}
	for rows.Next() {
		var p NotificationProgress
		var done sql.NullTime
		if err := rows.Scan(&p.ID, &p.Kind, &p.IncidentID, &p.UpdateID, &done, &p.CreatedAt, &p.Queued, &p.Sent, &p.Failed); err != nil {
			return nil, err
		}
		if done.Valid {
			t := done.Time.UTC()
			p.FannedOut = &t
		}
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}
