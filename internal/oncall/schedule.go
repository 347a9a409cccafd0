package oncall

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // schedules name IANA zones; do not depend on the host having them
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Schedule says who is on call: rotation layers, and overrides on top.
type Schedule struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	TimeZone    string     `json:"time_zone"`
	Layers      []Layer    `json:"layers"`
	Overrides   []Override `json:"overrides"` // current and upcoming
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ScheduleInput is what creating or updating a schedule takes.
type ScheduleInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	TimeZone    string `json:"time_zone"`
}

// LayerInput is what adding or changing a layer takes.
type LayerInput struct {
	Name        string `json:"name"`
	Rotation    string `json:"rotation"`     // daily, weekly
	HandoffTime string `json:"handoff_time"` // HH:MM in the schedule's zone
	// HandoffWeekday is the weekly hand-off day ("monday"); Monday when empty.
	HandoffWeekday string     `json:"handoff_weekday,omitempty"`
	StartsAt       time.Time  `json:"starts_at"`
	EndsAt         *time.Time `json:"ends_at,omitempty"`
	UserIDs        []int64    `json:"user_ids"` // in turn order; a user may appear more than once
}

// OverrideInput is what adding an override takes.
type OverrideInput struct {
	UserID         int64     `json:"user_id"`
	ReplacesUserID *int64    `json:"replaces_user_id,omitempty"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
}

// OnCall is who is on call in a schedule at a time.
type OnCall struct {
	ScheduleID   int64     `json:"schedule_id"`
	ScheduleName string    `json:"schedule_name"`
	TimeZone     string    `json:"time_zone"`
	At           time.Time `json:"at"`
	// Shift is nil when nobody is on call.
	Shift *Shift `json:"shift"`
}

// Limits on what a schedule holds, so a typo cannot make one unusable.
const (
	maxLayerUsers = 100
	maxShiftRange = 93 * 24 * time.Hour
)

// LoadZone returns the time zone named name, rejecting the host-dependent
// "Local" so every server agrees.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, errors.New("must be an IANA time zone such as Europe/Berlin or UTC")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errors.New("is not a known IANA time zone (e.g. America/New_York, Europe/Berlin, UTC)")
	}
	return loc, nil
}

func (in *ScheduleInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	v := helpline.Validation{}
	v.Check(in.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(in.Name) <= 100, "name", "must be at most 100 characters")
	v.Check(utf8.RuneCountInString(in.Description) <= 2000, "description", "must be at most 2000 characters")
	if _, err := LoadZone(in.TimeZone); err != nil {
		v.Add("time_zone", err.Error())
	}
	return v.Err()
}

func nameTaken(field, what string) error {
	return &helpline.Error{Kind: helpline.KindConflict, Message: "That name is taken.",
		Fields: map[string]string{field: "another " + what + " already has this name"}}
}

// CreateSchedule adds a schedule without layers. Admins only.
func (s *Service) CreateSchedule(ctx context.Context, actor *helpline.Actor, in ScheduleInput) (Schedule, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Schedule{}, err
	}
	if err := in.validate(); err != nil {
		return Schedule{}, err
	}
	now := s.nowUTC()
	sc := Schedule{Name: in.Name, Description: in.Description, TimeZone: in.TimeZone, Layers: []Layer{}, Overrides: []Override{}, CreatedAt: now, UpdatedAt: now}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO oncall_schedules (name, description, time_zone, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, sc.Name, sc.Description, sc.TimeZone, now).Scan(&sc.ID)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "schedule")
		}
		if err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.schedule_created", "oncall_schedule", sc.ID, map[string]any{"name": sc.Name, "time_zone": sc.TimeZone})
	})
	return sc, err
}

// UpdateSchedule renames a schedule or changes its description or zone.
// Admins only. Layers keep their wall-clock hand-off times in the new zone.
func (s *Service) UpdateSchedule(ctx context.Context, actor *helpline.Actor, id int64, in ScheduleInput) (Schedule, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Schedule{}, err
	}
	if err := in.validate(); err != nil {
		return Schedule{}, err
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE oncall_schedules SET name = $1, description = $2, time_zone = $3, updated_at = $4 WHERE id = $5`,
			in.Name, in.Description, in.TimeZone, s.nowUTC(), id)
		if db.IsUniqueViolation(err) {
			return nameTaken("name", "schedule")
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return helpline.NotFound("schedule")
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.schedule_updated", "oncall_schedule", id, map[string]any{"name": in.Name, "time_zone": in.TimeZone})
	})
	if err != nil {
		return Schedule{}, err
	}
	return s.FindSchedule(ctx, actor, id)
}

// DeleteSchedule removes a schedule, its layers and overrides, and its
// targets in escalation policies. Admins only.
func (s *Service) DeleteSchedule(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM oncall_schedules WHERE id = $1 RETURNING name`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("schedule")
		}
		if err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.schedule_deleted", "oncall_schedule", id, map[string]any{"name": name})
	})
}

const scheduleColumns = `id, name, description, time_zone, created_at, updated_at`

func scanSchedule(row interface{ Scan(...any) error }, sc *Schedule) error {
	if err := row.Scan(&sc.ID, &sc.Name, &sc.Description, &sc.TimeZone, &sc.CreatedAt, &sc.UpdatedAt); err != nil {
		return err
	}
	sc.CreatedAt, sc.UpdatedAt = sc.CreatedAt.UTC(), sc.UpdatedAt.UTC()
	return nil
}

// FindSchedules lists schedules by name, with their layers. Staff only.
func (s *Service) FindSchedules(ctx context.Context, actor *helpline.Actor) ([]Schedule, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM oncall_schedules ORDER BY lower(name), id`)
	if err != nil {
		return nil, err
	}
	out := []Schedule{}
	for rows.Next() {
		var sc Schedule
		if err := scanSchedule(rows, &sc); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Layers, err = s.layersOf(ctx, s.db, out[i].ID); err != nil {
			return nil, err
		}
		if out[i].Overrides, err = s.overridesOf(ctx, s.db, out[i].ID, s.nowUTC(), time.Time{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindSchedule returns a schedule with its layers and its current and
// upcoming overrides. Staff only.
func (s *Service) FindSchedule(ctx context.Context, actor *helpline.Actor, id int64) (Schedule, error) {
	if err := actor.RequireStaff(); err != nil {
		return Schedule{}, err
	}
	return s.schedule(ctx, s.db, id)
}

// FindScheduleByName returns a schedule by its exact name. Staff only.
func (s *Service) FindScheduleByName(ctx context.Context, actor *helpline.Actor, name string) (Schedule, error) {
	if err := actor.RequireStaff(); err != nil {
		return Schedule{}, err
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM oncall_schedules WHERE name = $1`, strings.TrimSpace(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Schedule{}, helpline.NotFound("schedule " + name)
	}
	if err != nil {
		return Schedule{}, err
	}
	return s.schedule(ctx, s.db, id)
}

func (s *Service) schedule(ctx context.Context, q db.Querier, id int64) (Schedule, error) {
	var sc Schedule
	err := scanSchedule(q.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM oncall_schedules WHERE id = $1`, id), &sc)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, helpline.NotFound("schedule")
	}
	if err != nil {
		return sc, err
	}
	if sc.Layers, err = s.layersOf(ctx, q, id); err != nil {
		return sc, err
	}
	sc.Overrides, err = s.overridesOf(ctx, q, id, s.nowUTC(), time.Time{})
	return sc, err
}

// layersOf returns a schedule's layers, lowest position first, with users.
func (s *Service) layersOf(ctx context.Context, q db.Querier, scheduleID int64) ([]Layer, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, schedule_id, position, name, rotation, handoff_time, handoff_weekday, starts_at, ends_at, created_at
		FROM oncall_layers WHERE schedule_id = $1 ORDER BY position, id`, scheduleID)
	if err != nil {
		return nil, err
	}
	out := []Layer{}
	byID := map[int64]int{}
	for rows.Next() {
		var l Layer
		var ends sql.NullTime
		var wd int
		if err := rows.Scan(&l.ID, &l.ScheduleID, &l.Position, &l.Name, &l.Rotation, &l.HandoffTime, &wd, &l.StartsAt, &ends, &l.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		l.HandoffWeekday = time.Weekday(wd)
		l.StartsAt, l.CreatedAt, l.EndsAt = l.StartsAt.UTC(), l.CreatedAt.UTC(), db.NullTime(ends)
		l.Users = []Member{}
		byID[l.ID] = len(out)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = q.QueryContext(ctx, `SELECT lu.layer_id, u.id, u.name, u.email FROM oncall_layer_users lu
		JOIN oncall_layers l ON l.id = lu.layer_id JOIN users u ON u.id = lu.user_id
		WHERE l.schedule_id = $1 ORDER BY lu.layer_id, lu.position`, scheduleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var layerID int64
		var m Member
		if err := rows.Scan(&layerID, &m.ID, &m.Name, &m.Email); err != nil {
			return nil, err
		}
		if i, ok := byID[layerID]; ok {
			out[i].Users = append(out[i].Users, m)
		}
	}
	return out, rows.Err()
}

// overridesOf returns a schedule's overrides that end after from and, unless
// to is zero, start before to; by start time.
func (s *Service) overridesOf(ctx context.Context, q db.Querier, scheduleID int64, from, to time.Time) ([]Override, error) {
	query := `SELECT o.id, o.schedule_id, u.id, u.name, u.email, r.id, r.name, r.email, o.starts_at, o.ends_at, o.created_by, o.created_at
		FROM oncall_overrides o JOIN users u ON u.id = o.user_id LEFT JOIN users r ON r.id = o.replaces_user_id
		WHERE o.schedule_id = $1 AND o.ends_at > $2`
	args := []any{scheduleID, db.Time(from)}
	if !to.IsZero() {
		query += ` AND o.starts_at < $3`
		args = append(args, db.Time(to))
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY o.starts_at, o.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Override{}
	for rows.Next() {
		var o Override
		var rid sql.NullInt64
		var rname, remail sql.NullString
		if err := rows.Scan(&o.ID, &o.ScheduleID, &o.User.ID, &o.User.Name, &o.User.Email, &rid, &rname, &remail, &o.StartsAt, &o.EndsAt, &o.CreatedBy, &o.CreatedAt); err != nil {
			return nil, err
		}
		if rid.Valid {
			o.ReplacesUser = &Member{ID: rid.Int64, Name: rname.String, Email: remail.String}
		}
		o.StartsAt, o.EndsAt, o.CreatedAt = o.StartsAt.UTC(), o.EndsAt.UTC(), o.CreatedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// resolverFor loads what decides who is on call in a schedule between from
// and to.
func (s *Service) resolverFor(ctx context.Context, q db.Querier, scheduleID int64, from, to time.Time) (*resolver, Schedule, error) {
	var sc Schedule
	err := scanSchedule(q.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM oncall_schedules WHERE id = $1`, scheduleID), &sc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sc, helpline.NotFound("schedule")
	}
	if err != nil {
		return nil, sc, err
	}
	loc, err := LoadZone(sc.TimeZone)
	if err != nil {
		return nil, sc, fmt.Errorf("schedule %d: time zone %q %v", sc.ID, sc.TimeZone, err)
	}
	layers, err := s.layersOf(ctx, q, scheduleID)
	if err != nil {
		return nil, sc, err
	}
	overrides, err := s.overridesOf(ctx, q, scheduleID, from, to)
	if err != nil {
		return nil, sc, err
	}
	r, err := newResolver(loc, layers, overrides)
	return r, sc, err
}

// usersOnCall returns who is on call in a schedule at a time: normally one
// user, none when no layer covers it (or the schedule is gone: a deleted
// schedule pages nobody rather than failing the page).
func (s *Service) usersOnCall(ctx context.Context, q db.Querier, scheduleID int64, at time.Time) ([]int64, error) {
	r, _, err := s.resolverFor(ctx, q, scheduleID, at, at.Add(time.Microsecond))
	if helpline.KindOf(err) == helpline.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if sh, ok := r.at(at); ok {
		return []int64{sh.User.ID}, nil
	}
	return nil, nil
}

// Who returns who is on call in a schedule at a time, what put them there
// and the stretch they are on call for. Staff only.
func (s *Service) Who(ctx context.Context, actor *helpline.Actor, scheduleID int64, at time.Time) (OnCall, error) {
	if err := actor.RequireStaff(); err != nil {
		return OnCall{}, err
	}
	return s.who(ctx, s.db, scheduleID, at)
}

func (s *Service) who(ctx context.Context, q db.Querier, scheduleID int64, at time.Time) (OnCall, error) {
	at = db.Time(at)
	r, sc, err := s.resolverFor(ctx, q, scheduleID, at.Add(-whoWindow), at.Add(whoWindow))
	if err != nil {
		return OnCall{}, err
	}
	oc := OnCall{ScheduleID: sc.ID, ScheduleName: sc.Name, TimeZone: sc.TimeZone, At: at}
	if sh, ok := r.current(at); ok {
		oc.Shift = &sh
	}
	return oc, nil
}

// WhoAll returns who is on call at a time in every schedule, by schedule
// name. Staff only.
func (s *Service) WhoAll(ctx context.Context, actor *helpline.Actor, at time.Time) ([]OnCall, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM oncall_schedules ORDER BY lower(name), id`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []OnCall{}
	for _, id := range ids {
		oc, err := s.who(ctx, s.db, id, at)
		if helpline.KindOf(err) == helpline.KindNotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, oc)
	}
	return out, nil
}

// Shifts returns the final schedule between from and to (at most 93 days):
// who is on call when, after layers and overrides. Gaps with nobody on call
// are left out. Staff only.
func (s *Service) Shifts(ctx context.Context, actor *helpline.Actor, scheduleID int64, from, to time.Time) ([]Shift, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	from, to = db.Time(from), db.Time(to)
	v := helpline.Validation{}
	v.Check(to.After(from), "to", "must be after from")
	v.Check(to.Sub(from) <= maxShiftRange, "to", "must be at most 93 days after from")
	if err := v.Err(); err != nil {
		return nil, err
	}
	r, _, err := s.resolverFor(ctx, s.db, scheduleID, from, to)
	if err != nil {
		return nil, err
	}
	out := r.timeline(from, to)
	if out == nil {
		out = []Shift{}
	}
	return out, nil
}

// policyLevels returns an escalation policy's levels in order, with targets
// (schedules first, then users, each by name).
func (s *Service) policyLevels(ctx context.Context, q db.Querier, policyID int64) ([]Level, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.position, l.delay_minutes, t.schedule_id, t.user_id, COALESCE(sc.name, u.name, '')
		FROM escalation_levels l
		LEFT JOIN escalation_targets t ON t.level_id = l.id
		LEFT JOIN oncall_schedules sc ON sc.id = t.schedule_id
		LEFT JOIN users u ON u.id = t.user_id
		WHERE l.policy_id = $1
		ORDER BY l.position, l.id, CASE WHEN t.schedule_id IS NULL THEN 1 ELSE 0 END, lower(COALESCE(sc.name, u.name, '')), COALESCE(t.schedule_id, t.user_id)`, policyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Level{}
	for rows.Next() {
		var l Level
		var scheduleID, userID sql.NullInt64
		var name string
		if err := rows.Scan(&l.ID, &l.Position, &l.DelayMinutes, &scheduleID, &userID, &name); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != l.ID {
			l.Targets = []Target{}
			out = append(out, l)
		}
		t := Target{Name: name}
		switch {
		case scheduleID.Valid:
			id := scheduleID.Int64
			t.ScheduleID = &id
		case userID.Valid:
			id := userID.Int64
			t.UserID = &id
		default:
			continue // a level without targets
		}
		last := &out[len(out)-1]
		last.Targets = append(last.Targets, t)
	}
	return out, rows.Err()
}

// contactMethodsOf returns a user's contact methods, oldest first, with
// webhook secrets.
func (s *Service) contactMethodsOf(ctx context.Context, q db.Querier, userID int64) ([]ContactMethod, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, user_id, kind, label, address, secret, created_at
		FROM contact_methods WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ContactMethod{}
	for rows.Next() {
		var m ContactMethod
		if err := rows.Scan(&m.ID, &m.UserID, &m.Kind, &m.Label, &m.Address, &m.Secret, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
