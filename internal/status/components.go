package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

// Valid reports whether c is a known component status.
func (c ComponentStatus) Valid() bool { return slices.Contains(ComponentStatuses, c) }

// rank orders statuses from best (0) to worst.
func (c ComponentStatus) rank() int { return slices.Index(ComponentStatuses, c) }

// worse returns the worse of two statuses; an unknown or empty one loses.
func worse(a, b ComponentStatus) ComponentStatus {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

func statusList() string {
	parts := make([]string, len(ComponentStatuses))
	for i, c := range ComponentStatuses {
		parts[i] = string(c)
	}
	return strings.Join(parts, ", ")
}

const componentColumns = `id, name, description, is_group, group_id, position, status, region, keywords, created_at, updated_at`

func scanComponent(row interface{ Scan(...any) error }) (Component, error) {
	var c Component
	var group sql.NullInt64
	var keywords string
	if err := row.Scan(&c.ID, &c.Name, &c.Description, &c.Group, &group, &c.Position, &c.Status, &c.Region, &keywords, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	c.GroupID = group.Int64
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(keywords), &c.Keywords); err != nil {
		return c, err
	}
	return c, nil
}

// FindComponents lists every component in page order: top-level
// components and groups by position, each group followed by its members.
// A group's status is the worst of its members'.
func (s *Service) FindComponents(ctx context.Context) ([]Component, error) {
	return s.findComponents(ctx, s.db)
}

func (s *Service) findComponents(ctx context.Context, q db.Querier) ([]Component, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+componentColumns+` FROM components ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var top []Component
	members := map[int64][]Component{}
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, err
		}
		if c.GroupID == 0 {
			top = append(top, c)
		} else {
			members[c.GroupID] = append(members[c.GroupID], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Component, 0, len(top)+len(members))
	for _, c := range top {
		if c.Group && len(members[c.ID]) > 0 {
			c.Status = Operational
			for _, m := range members[c.ID] {
				c.Status = worse(c.Status, m.Status)
			}
		}
		out = append(out, c)
		out = append(out, members[c.ID]...)
	}
	return out, nil
}

func (s *Service) findComponent(ctx context.Context, q db.Querier, id int64) (Component, error) {
	c, err := scanComponent(q.QueryRowContext(ctx, `SELECT `+componentColumns+` FROM components WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, helpline.NotFound("component")
	}
	return c, err
}

// validate checks and normalizes a component; id is 0 for a new one.
func (in *ComponentInput) validate(ctx context.Context, q db.Querier, id int64) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Region = strings.TrimSpace(in.Region)
	v := helpline.Validation{}
	n := utf8.RuneCountInString(in.Name)
	v.Check(n >= 1 && n <= 100, "name", "must be 1 to 100 characters")
	v.Check(utf8.RuneCountInString(in.Description) <= 1000, "description", "must be at most 1,000 characters")
	if in.Status == "" {
		in.Status = Operational
	}
	v.Check(in.Status.Valid(), "status", "must be one of "+statusList())
	v.Check(in.Region == "" || slices.Contains(account.Regions, in.Region), "region", "must be empty or one of "+strings.Join(account.Regions, ", "))
	v.Check(in.Position >= 0, "position", "must be 0 (last) or a positive number")
	keywords := []string{}
	for _, k := range in.Keywords {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" || slices.Contains(keywords, k) {
			continue
		}
		v.Check(utf8.RuneCountInString(k) <= 50, "keywords", "each keyword must be at most 50 characters")
		keywords = append(keywords, k)
	}
	v.Check(len(keywords) <= 20, "keywords", "at most 20 keywords")
	in.Keywords = keywords
	if in.Group && in.GroupID != 0 {
		v.Add("group_id", "groups cannot nest: a group must be top level")
	}
	if in.GroupID != 0 && !in.Group {
		var isGroup bool
		err := q.QueryRowContext(ctx, `SELECT is_group FROM components WHERE id = $1`, in.GroupID).Scan(&isGroup)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			v.Add("group_id", "no such group: pick an existing group or none")
		case err != nil:
			return err
		case !isGroup || in.GroupID == id:
			v.Add("group_id", "must be a group, not a component")
		}
	}
	if id != 0 {
		var members int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM components WHERE group_id = $1`, id).Scan(&members); err != nil {
			return err
		}
		if members > 0 && !in.Group {
			v.Add("group", "this group still has components: move them out first")
		}
		if members > 0 && in.GroupID != 0 {
			v.Add("group_id", "groups cannot nest: a group must be top level")
		}
	}
	if _, bad := v["name"]; !bad {
		var other int64
		err := q.QueryRowContext(ctx, `SELECT id FROM components WHERE COALESCE(group_id, 0) = $1 AND name = $2 AND id <> $3`, in.GroupID, in.Name, id).Scan(&other)
		if err == nil {
			v.Add("name", "is already used by another component in this group")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return v.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateComponent adds a component (admin).
func (s *Service) CreateComponent(ctx context.Context, actor *helpline.Actor, in ComponentInput) (Component, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Component{}, err
	}
	var c Component
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := in.validate(ctx, tx, 0); err != nil {
			return err
		}
		now := s.nowUTC()
		if in.Position == 0 {
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM components WHERE COALESCE(group_id, 0) = $1`, in.GroupID).Scan(&in.Position); err != nil {
				return err
			}
		}
		keywords, _ := json.Marshal(in.Keywords)
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO components (name, description, is_group, group_id, position, status, region, keywords, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			in.Name, in.Description, in.Group, nullID(in.GroupID), in.Position, in.Status, in.Region, string(keywords), now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: "A component with that name already exists in this group.", Fields: map[string]string{"name": "is already used by another component in this group"}}
		}
		if err != nil {
			return err
		}
		if err := s.recordStatus(ctx, tx, id, in.Status, now); err != nil {
			return err
		}
		if err := s.bump(ctx, tx, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "status.component_created", "component", id, map[string]any{"name": in.Name}); err != nil {
			return err
		}
		c, err = s.findComponent(ctx, tx, id)
		return err
	})
	if err != nil {
		return Component{}, err
	}
	s.changed()
	return c, nil
}

// UpdateComponent edits a component; a status change is recorded for
// uptime (admin).
func (s *Service) UpdateComponent(ctx context.Context, actor *helpline.Actor, id int64, in ComponentInput) (Component, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Component{}, err
	}
	var c Component
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		old, err := s.findComponent(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := in.validate(ctx, tx, id); err != nil {
			return err
		}
		if in.Position == 0 {
			in.Position = old.Position
			if in.GroupID != old.GroupID {
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM components WHERE COALESCE(group_id, 0) = $1`, in.GroupID).Scan(&in.Position); err != nil {
					return err
				}
			}
		}
		now := s.nowUTC()
		keywords, _ := json.Marshal(in.Keywords)
		_, err = tx.ExecContext(ctx, `UPDATE components SET name = $1, description = $2, is_group = $3, group_id = $4, position = $5, status = $6, region = $7, keywords = $8, updated_at = $9 WHERE id = $10`,
			in.Name, in.Description, in.Group, nullID(in.GroupID), in.Position, in.Status, in.Region, string(keywords), now, id)
		if db.IsUniqueViolation(err) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: "A component with that name already exists in this group.", Fields: map[string]string{"name": "is already used by another component in this group"}}
		}
		if err != nil {
			return err
		}
		if in.Status != old.Status {
			if err := s.recordStatus(ctx, tx, id, in.Status, now); err != nil {
				return err
			}
		}
		if err := s.bump(ctx, tx, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "status.component_updated", "component", id, map[string]any{"name": in.Name, "status": in.Status}); err != nil {
			return err
		}
		c, err = s.findComponent(ctx, tx, id)
		return err
	})
	if err != nil {
		return Component{}, err
	}
	s.changed()
	return c, nil
}

// DeleteComponent removes a component and its history (admin). A group
// must be emptied first.
func (s *Service) DeleteComponent(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		c, err := s.findComponent(ctx, tx, id)
		if err != nil {
			return err
		}
		var members int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM components WHERE group_id = $1`, id).Scan(&members); err != nil {
			return err
		}
		if members > 0 {
			return helpline.Errorf(helpline.KindConflict, "The group %q still has %d components: move or delete them first.", c.Name, members)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM components WHERE id = $1`, id); err != nil {
			return err
		}
		if err := s.bump(ctx, tx, s.nowUTC()); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "status.component_deleted", "component", id, map[string]any{"name": c.Name})
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// recordStatus appends to a component's status history, which uptime is
// computed from.
func (s *Service) recordStatus(ctx context.Context, tx *sql.Tx, componentID int64, st ComponentStatus, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO component_status_changes (component_id, status, at) VALUES ($1, $2, $3)`, componentID, st, at)
	return err
}

// setComponentStatus moves a component to st, recording the change; it
// does nothing when the component already has st.
func (s *Service) setComponentStatus(ctx context.Context, tx *sql.Tx, componentID int64, st ComponentStatus, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE components SET status = $1, updated_at = $2 WHERE id = $3 AND status <> $1`, st, at, componentID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, s.recordStatus(ctx, tx, componentID, st, at)
}

// versionKey is the settings row counting status changes: caches compare
// it to tell whether their snapshot is stale, and its time is when the
// page last changed.
const versionKey = "status.version"

// bump counts a change, in the change's transaction.
func (s *Service) bump(ctx context.Context, tx *sql.Tx, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, '1', $2)
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT), updated_at = excluded.updated_at`, versionKey, at)
	return err
}

// Version returns the change counter and when it last moved; a cache whose
// snapshot has an older version is stale.
func (s *Service) Version(ctx context.Context) (int64, time.Time, error) {
	return s.version(ctx, s.db)
}

func (s *Service) version(ctx context.Context, q db.Querier) (int64, time.Time, error) {
	var value string
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT value, updated_at FROM settings WHERE key = $1`, versionKey).Scan(&value, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	v, err := strconv.ParseInt(value, 10, 64)
	return v, at.UTC(), err
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, action, targetType string, id int64, details map[string]any) error {
	if s.accounts == nil {
		return nil
	}
	return s.accounts.Audit(ctx, tx, actor, action, targetType, id, details)
}
