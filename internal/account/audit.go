package account

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// AuditEvent records a security-relevant or staff action.
type AuditEvent struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	ActorID    *int64         `json:"actor_id"`
	ActorEmail string         `json:"actor_email"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Details    map[string]any `json:"details"`
	IP         string         `json:"ip"`
}

// Audit records an event in q, usually the transaction of the action itself,
// so an action and its record commit together.
func (s *Service) Audit(ctx context.Context, q db.Querier, actor *helpline.Actor, action, targetType string, targetID int64, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	body, err := json.Marshal(details)
	if err != nil {
		return err
	}
	var actorID *int64
	var email, ip string
	if actor != nil {
		if actor.UserID != 0 {
			id := actor.UserID
			actorID = &id
		}
		email, ip = actor.Email, actor.IP
	}
	target := ""
	if targetID != 0 {
		target = strconv.FormatInt(targetID, 10)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO audit_events (at, actor_id, actor_email, action, target_type, target_id, details, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.nowUTC(), actorID, email, action, targetType, target, string(body), ip)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action     string
	TargetType string
	TargetID   string
	helpline.Page
}

// FindAuditEvents returns audit events, newest first. Admins only.
func (s *Service) FindAuditEvents(ctx context.Context, actor *helpline.Actor, f AuditFilter) ([]AuditEvent, error) {
	if err := actor.RequireAdmin(); err != nil {
		return nil, err
	}
	p := f.Page.Normalize()
	q := `SELECT id, at, actor_id, actor_email, action, target_type, target_id, details, ip FROM audit_events WHERE 1=1`
	var args []any
	if f.Action != "" {
		args = append(args, f.Action)
		q += fmt.Sprintf(` AND action = $%d`, len(args))
	}
	if f.TargetType != "" {
		args = append(args, f.TargetType)
		q += fmt.Sprintf(` AND target_type = $%d`, len(args))
		if f.TargetID != "" {
			args = append(args, f.TargetID)
			q += fmt.Sprintf(` AND target_id = $%d`, len(args))
		}
	}
	args = append(args, p.Limit, p.Offset)
	q += fmt.Sprintf(` ORDER BY at DESC, id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		var details string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorEmail, &e.Action, &e.TargetType, &e.TargetID, &details, &e.IP); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			e.Details = map[string]any{"raw": details}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
