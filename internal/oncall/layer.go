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

func (in *LayerInput) validate() (time.Weekday, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Rotation = strings.ToLower(strings.TrimSpace(in.Rotation))
	in.HandoffTime = strings.TrimSpace(in.HandoffTime)
	v := helpline.Validation{}
	v.Check(in.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(in.Name) <= 100, "name", "must be at most 100 characters")
	v.Check(in.Rotation == RotationDaily || in.Rotation == RotationWeekly, "rotation", "must be daily or weekly")
	if _, _, err := parseHandoff(in.HandoffTime); err != nil {
		v.Add("handoff_time", err.Error())
	}
	wd := time.Monday
	if in.HandoffWeekday != "" {
		d, ok := ParseWeekday(in.HandoffWeekday)
		v.Check(ok, "handoff_weekday", "must be a day of the week, e.g. monday")
		wd = d
	}
	v.Check(!in.StartsAt.IsZero(), "starts_at", "is required")
	if in.EndsAt != nil {
		v.Check(in.EndsAt.After(in.StartsAt), "ends_at", "must be after the start")
	}
	v.Check(len(in.UserIDs) > 0, "user_ids", "add at least one user")
	v.Check(len(in.UserIDs) <= maxLayerUsers, "user_ids", fmt.Sprintf("at most %d users", maxLayerUsers))
	return wd, v.Err()
}

// checkStaff returns an invalid error naming field unless every user is staff.
func checkStaff(ctx context.Context, q db.Querier, field string, ids ...int64) error {
	for _, id := range ids {
		var role string
		err := q.QueryRowContext(ctx, `SELECT staff_role FROM users WHERE id = $1`, id).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && role == "") {
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "Only staff can be on call.",
				Fields: map[string]string{field: fmt.Sprintf("user %d is not a staff member", id)}}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func scheduleExists(ctx context.Context, q db.Querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM oncall_schedules WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return helpline.NotFound("schedule")
	}
	return nil
}

func (s *Service) writeLayerUsers(ctx context.Context, tx *sql.Tx, layerID int64, users []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM oncall_layer_users WHERE layer_id = $1`, layerID); err != nil {
		return err
	}
	for i, u := range users {
		if _, err := tx.ExecContext(ctx, `INSERT INTO oncall_layer_users (layer_id, position, user_id) VALUES ($1, $2, $3)`, layerID, i, u); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) touchSchedule(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE oncall_schedules SET updated_at = $1 WHERE id = $2`, s.nowUTC(), id)
	return err
}

func layerDetails(in LayerInput, wd time.Weekday) map[string]any {
	d := map[string]any{"name": in.Name, "rotation": in.Rotation, "handoff_time": in.HandoffTime,
		"starts_at": db.Time(in.StartsAt), "user_ids": in.UserIDs}
	if in.Rotation == RotationWeekly {
		d["handoff_weekday"] = WeekdayName(wd)
	}
	if in.EndsAt != nil {
		d["ends_at"] = db.Time(*in.EndsAt)
	}
	return d
}

// AddLayer adds a rotation layer on top of a schedule's others. Admins only.
func (s *Service) AddLayer(ctx context.Context, actor *helpline.Actor, scheduleID int64, in LayerInput) (Layer, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Layer{}, err
	}
	wd, err := in.validate()
	if err != nil {
		return Layer{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := scheduleExists(ctx, tx, scheduleID); err != nil {
			return err
		}
		if err := checkStaff(ctx, tx, "user_ids", in.UserIDs...); err != nil {
			return err
		}
		var pos int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM oncall_layers WHERE schedule_id = $1`, scheduleID).Scan(&pos); err != nil {
			return err
		}
		var ends *time.Time
		if in.EndsAt != nil {
			e := db.Time(*in.EndsAt)
			ends = &e
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO oncall_layers (schedule_id, position, name, rotation, handoff_time, handoff_weekday, starts_at, ends_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			scheduleID, pos, in.Name, in.Rotation, normalizeHandoff(in.HandoffTime), int(wd), db.Time(in.StartsAt), ends, s.nowUTC()).Scan(&id)
		if err != nil {
			return err
		}
		if err := s.writeLayerUsers(ctx, tx, id, in.UserIDs); err != nil {
			return err
		}
		if err := s.touchSchedule(ctx, tx, scheduleID); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.layer_added", "oncall_schedule", scheduleID, layerDetails(in, wd))
	})
	if err != nil {
		return Layer{}, err
	}
	return s.layer(ctx, scheduleID, id)
}

func normalizeHandoff(s string) string {
	h, m, _ := parseHandoff(s)
	return fmt.Sprintf("%02d:%02d", h, m)
}

func (s *Service) layer(ctx context.Context, scheduleID, layerID int64) (Layer, error) {
	layers, err := s.layersOf(ctx, s.db, scheduleID)
	if err != nil {
		return Layer{}, err
	}
	for _, l := range layers {
		if l.ID == layerID {
			return l, nil
		}
	}
	return Layer{}, helpline.NotFound("layer")
}

// UpdateLayer replaces a layer's settings and users; it keeps its place
// among the schedule's layers. Admins only.
func (s *Service) UpdateLayer(ctx context.Context, actor *helpline.Actor, scheduleID, layerID int64, in LayerInput) (Layer, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Layer{}, err
	}
	wd, err := in.validate()
	if err != nil {
		return Layer{}, err
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		var ends *time.Time
		if in.EndsAt != nil {
			e := db.Time(*in.EndsAt)
			ends = &e
		}
		res, err := tx.ExecContext(ctx, `UPDATE oncall_layers SET name = $1, rotation = $2, handoff_time = $3, handoff_weekday = $4, starts_at = $5, ends_at = $6
			WHERE id = $7 AND schedule_id = $8`,
			in.Name, in.Rotation, normalizeHandoff(in.HandoffTime), int(wd), db.Time(in.StartsAt), ends, layerID, scheduleID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return helpline.NotFound("layer")
		}
		if err := checkStaff(ctx, tx, "user_ids", in.UserIDs...); err != nil {
			return err
		}
		if err := s.writeLayerUsers(ctx, tx, layerID, in.UserIDs); err != nil {
			return err
		}
		if err := s.touchSchedule(ctx, tx, scheduleID); err != nil {
			return err
		}
		d := layerDetails(in, wd)
		d["layer_id"] = layerID
		return s.accounts.Audit(ctx, tx, actor, "oncall.layer_updated", "oncall_schedule", scheduleID, d)
	})
	if err != nil {
		return Layer{}, err
	}
	return s.layer(ctx, scheduleID, layerID)
}

// DeleteLayer removes a layer from a schedule. Admins only.
func (s *Service) DeleteLayer(ctx context.Context, actor *helpline.Actor, scheduleID, layerID int64) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM oncall_layers WHERE id = $1 AND schedule_id = $2 RETURNING name`, layerID, scheduleID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("layer")
		}
		if err != nil {
			return err
		}
		if err := s.touchSchedule(ctx, tx, scheduleID); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.layer_deleted", "oncall_schedule", scheduleID, map[string]any{"layer_id": layerID, "name": name})
	})
}

// AddOverride puts a user on call between two times, instead of whoever is
// on call or, with ReplacesUserID, instead of that user only. Any staff
// member may put themselves on call; admins may put anyone.
func (s *Service) AddOverride(ctx context.Context, actor *helpline.Actor, scheduleID int64, in OverrideInput) (Override, error) {
	if err := actor.RequireStaff(); err != nil {
		return Override{}, err
	}
	if !actor.IsAdmin() && in.UserID != actor.UserID {
		return Override{}, helpline.Errorf(helpline.KindForbidden, "you can only put yourself on call; ask an admin to schedule someone else")
	}
	v := helpline.Validation{}
	v.Check(in.UserID != 0, "user_id", "is required")
	v.Check(!in.StartsAt.IsZero(), "starts_at", "is required")
	v.Check(!in.EndsAt.IsZero(), "ends_at", "is required")
	v.Check(in.EndsAt.After(in.StartsAt), "ends_at", "must be after the start")
	if in.ReplacesUserID != nil {
		v.Check(*in.ReplacesUserID != in.UserID, "replaces_user_id", "must be someone else than the user going on call")
	}
	if err := v.Err(); err != nil {
		return Override{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := scheduleExists(ctx, tx, scheduleID); err != nil {
			return err
		}
		if err := checkStaff(ctx, tx, "user_id", in.UserID); err != nil {
			return err
		}
		if in.ReplacesUserID != nil {
			if err := checkStaff(ctx, tx, "replaces_user_id", *in.ReplacesUserID); err != nil {
				return err
			}
		}
		var createdBy *int64
		if actor.UserID != 0 {
			createdBy = &actor.UserID
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO oncall_overrides (schedule_id, user_id, replaces_user_id, starts_at, ends_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			scheduleID, in.UserID, in.ReplacesUserID, db.Time(in.StartsAt), db.Time(in.EndsAt), createdBy, s.nowUTC()).Scan(&id)
		if err != nil {
			return err
		}
		d := map[string]any{"override_id": id, "user_id": in.UserID, "starts_at": db.Time(in.StartsAt), "ends_at": db.Time(in.EndsAt)}
		if in.ReplacesUserID != nil {
			d["replaces_user_id"] = *in.ReplacesUserID
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.override_added", "oncall_schedule", scheduleID, d)
	})
	if err != nil {
		return Override{}, err
	}
	all, err := s.overridesOf(ctx, s.db, scheduleID, time.Time{}, time.Time{})
	if err != nil {
		return Override{}, err
	}
	for _, o := range all {
		if o.ID == id {
			return o, nil
		}
	}
	return Override{}, helpline.NotFound("override")
}

// DeleteOverride removes an override. Admins may remove any; other staff the
// overrides that put themselves on call.
func (s *Service) DeleteOverride(ctx context.Context, actor *helpline.Actor, scheduleID, overrideID int64) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM oncall_overrides WHERE id = $1 AND schedule_id = $2`, overrideID, scheduleID).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("override")
		}
		if err != nil {
			return err
		}
		if !actor.IsAdmin() && userID != actor.UserID {
			return helpline.Errorf(helpline.KindForbidden, "only admins can remove someone else's override")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oncall_overrides WHERE id = $1`, overrideID); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.override_deleted", "oncall_schedule", scheduleID, map[string]any{"override_id": overrideID, "user_id": userID})
	})
}
