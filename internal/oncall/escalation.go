package oncall

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Policy is an escalation policy: levels paged one after another until
// someone acknowledges, the whole list run 1+Repeats times.
type Policy struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Repeats     int    `json:"repeats"`
	// PagesUrgent marks the policy urgent tickets of paging plans page.
	PagesUrgent bool      `json:"pages_urgent"`
	Levels      []Level   `json:"levels"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PolicyInput is what creating or replacing a policy takes.
type PolicyInput struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Repeats     int          `json:"repeats"`
	PagesUrgent bool         `json:"pages_urgent"`
	Levels      []LevelInput `json:"levels"`
}

// LevelInput is one level of a PolicyInput.
type LevelInput struct {
	DelayMinutes int      `json:"delay_minutes"`
	Targets      []Target `json:"targets"` // each a schedule_id or a user_id
}

// Bounds of a policy.
const (
	MaxRepeats      = 9
	maxLevels       = 20
	maxLevelTargets = 20
	maxDelayMinutes = 24 * 60
)

func (in *PolicyInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	v := helpline.Validation{}
	v.Check(in.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(in.Name) <= 100, "name", "must be at most 100 characters")
	v.Check(utf8.RuneCountInString(in.Description) <= 2000, "description", "must be at most 2000 characters")
	v.Check(in.Repeats >= 0 && in.Repeats <= MaxRepeats, "repeats", "must be between 0 and 9")
	v.Check(len(in.Levels) > 0, "levels", "add at least one level")
	v.Check(len(in.Levels) <= maxLevels, "levels", fmt.Sprintf("at most %d levels", maxLevels))
	for i, l := range in.Levels {
		f := fmt.Sprintf("levels[%d]", i)
		v.Check(l.DelayMinutes >= 1 && l.DelayMinutes <= maxDelayMinutes, f+".delay_minutes", "must be between 1 and 1440 minutes")
		v.Check(len(l.Targets) > 0, f+".targets", "add a schedule or a user to page")
		v.Check(len(l.Targets) <= maxLevelTargets, f+".targets", fmt.Sprintf("at most %d targets", maxLevelTargets))
		for j, t := range l.Targets {
			v.Check((t.ScheduleID == nil) != (t.UserID == nil), fmt.Sprintf("%s.targets[%d]", f, j), "must name either a schedule_id or a user_id")
		}
	}
	return v.Err()
}

// checkTargets verifies that every target exists and that users are staff.
func checkTargets(ctx context.Context, q db.Querier, levels []LevelInput) error {
	for i, l := range levels {
		for j, t := range l.Targets {
			f := fmt.Sprintf("levels[%d].targets[%d]", i, j)
			if t.ScheduleID != nil {
				if err := scheduleExists(ctx, q, *t.ScheduleID); err != nil {
					if helpline.KindOf(err) == helpline.KindNotFound {
						return &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown schedule.",
							Fields: map[string]string{f: fmt.Sprintf("schedule %d does not exist", *t.ScheduleID)}}
					}
					return err
				}
				continue
			}
			if err := checkStaff(ctx, q, f, *t.UserID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) writeLevels(ctx context.Context, tx *sql.Tx, policyID int64, levels []LevelInput) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM escalation_levels WHERE policy_id = $1`, policyID); err != nil {
		return err
	}
	for i, l := range levels {
		var levelID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO escalation_levels (policy_id, position, delay_minutes) VALUES ($1, $2, $3) RETURNING id`,
			policyID, i+1, l.DelayMinutes).Scan(&levelID); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, t := range l.Targets {
			key := fmt.Sprint("u", t.UserID)
			if t.ScheduleID != nil {
				key = fmt.Sprint("s", *t.ScheduleID)
			} else if t.UserID != nil {
				key = fmt.Sprint("u", *t.UserID)
			}
			if seen[key] {
				continue // the same target twice pages once
			}
			seen[key] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO escalation_targets (level_id, schedule_id, user_id) VALUES ($1, $2, $3)`,
				levelID, t.ScheduleID, t.UserID); err != nil {
				return err
			}
		}
	}
	return nil
}

func policyDetails(in PolicyInput) map[string]any {
	return map[string]any{"name": in.Name, "repeats": in.Repeats, "pages_urgent": in.PagesUrgent, "levels": in.Levels}
}

// clearPagesUrgent unmarks every other policy, so marking one moves the mark
// in the same transaction.
func clearPagesUrgent(ctx context.Context, tx *sql.Tx, except int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE escalation_policies SET pages_urgent = FALSE WHERE pages_urgent AND id <> $1`, except)
	return err
}

// CreatePolicy adds an escalation policy. Admins only.
func (s *Service) CreatePolicy(ctx context.Context, actor *helpline.Actor, in PolicyInput) (Policy, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Policy{}, err
	}
	if err := in.validate(); err != nil {
		return Policy{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := checkTargets(ctx, tx, in.Levels); err != nil {
			return err
		}
		if in.PagesUrgent {
			if err := clearPagesUrgent(ctx, tx, 0); err != nil {
				return err
			}
		}
		now := s.nowUTC()
		err := tx.QueryRowContext(ctx, `INSERT INTO escalation_policies (name, description, repeats, pages_urgent, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, in.Name, in.Description, in.Repeats, in.PagesUrgent, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "policy")
		}
		if err != nil {
			return err
		}
		if err := s.writeLevels(ctx, tx, id, in.Levels); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.policy_created", "escalation_policy", id, policyDetails(in))
	})
	if err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, s.db, id)
}

// UpdatePolicy replaces a policy's settings and levels. Admins only. Pages
// under way continue from their current level number.
func (s *Service) UpdatePolicy(ctx context.Context, actor *helpline.Actor, id int64, in PolicyInput) (Policy, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Policy{}, err
	}
	if err := in.validate(); err != nil {
		return Policy{}, err
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := checkTargets(ctx, tx, in.Levels); err != nil {
			return err
		}
		if in.PagesUrgent {
			if err := clearPagesUrgent(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE escalation_policies SET name = $1, description = $2, repeats = $3, pages_urgent = $4, updated_at = $5 WHERE id = $6`,
			in.Name, in.Description, in.Repeats, in.PagesUrgent, s.nowUTC(), id)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "policy")
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return helpline.NotFound("escalation policy")
		}
		if err := s.writeLevels(ctx, tx, id, in.Levels); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.policy_updated", "escalation_policy", id, policyDetails(in))
	})
	if err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, s.db, id)
}

// DeletePolicy removes an escalation policy; its pages keep their history.
// Admins only.
func (s *Service) DeletePolicy(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM escalation_policies WHERE id = $1 RETURNING name`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("escalation policy")
		}
		if err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.policy_deleted", "escalation_policy", id, map[string]any{"name": name})
	})
}

const policyColumns = `id, name, description, repeats, pages_urgent, created_at, updated_at`

func scanPolicy(row interface{ Scan(...any) error }, p *Policy) error {
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.Repeats, &p.PagesUrgent, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return nil
}

func (s *Service) policy(ctx context.Context, q db.Querier, id int64) (Policy, error) {
	var p Policy
	err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM escalation_policies WHERE id = $1`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return p, helpline.NotFound("escalation policy")
	}
	if err != nil {
		return p, err
	}
	p.Levels, err = s.policyLevels(ctx, q, id)
	return p, err
}

// FindPolicy returns an escalation policy with its levels. Staff only.
func (s *Service) FindPolicy(ctx context.Context, actor *helpline.Actor, id int64) (Policy, error) {
	if err := actor.RequireStaff(); err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, s.db, id)
}

// FindPolicies lists escalation policies by name, with levels. Staff only.
func (s *Service) FindPolicies(ctx context.Context, actor *helpline.Actor) ([]Policy, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+policyColumns+` FROM escalation_policies ORDER BY lower(name), id`)
	if err != nil {
		return nil, err
	}
	out := []Policy{}
	for rows.Next() {
		var p Policy
		if err := scanPolicy(rows, &p); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Levels, err = s.policyLevels(ctx, s.db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
