package status

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// FindTemplates lists the update templates, incidents first, by name
// (staff).
func (s *Service) FindTemplates(ctx context.Context, actor *helpline.Actor) ([]Template, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, kind, status, title, body FROM status_templates ORDER BY kind, name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Template{}
	for rows.Next() {
		var t Template
		if err := rows.Scan(&t.ID, &t.Name, &t.Kind, &t.Status, &t.Title, &t.Body); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (t *Template) validate() error {
	t.Name, t.Title = strings.TrimSpace(t.Name), strings.TrimSpace(t.Title)
	if t.Kind == "" {
		t.Kind = KindIncident
	}
	v := helpline.Validation{}
	n := utf8.RuneCountInString(t.Name)
	v.Check(n >= 1 && n <= 100, "name", "must be 1 to 100 characters")
	v.Check(utf8.RuneCountInString(t.Title) <= 200, "title", "must be at most 200 characters")
	if !t.Kind.Valid() {
		v.Add("kind", "must be incident or maintenance")
	} else {
		if t.Status == "" {
			t.Status = t.Kind.Statuses()[0]
		}
		v.Check(slices.Contains(t.Kind.Statuses(), t.Status), "status", "must be one of "+t.Kind.statusList()+" for "+kindNoun(t.Kind))
	}
	checkBody(v, t.Body)
	return v.Err()
}

var errTemplateName = &helpline.Error{Kind: helpline.KindConflict, Message: "A template with that name already exists.", Fields: map[string]string{"name": "is already taken"}}

// SaveTemplate creates (ID 0) or replaces a template (staff).
func (s *Service) SaveTemplate(ctx context.Context, actor *helpline.Actor, t Template) (Template, error) {
	if err := actor.RequireStaff(); err != nil {
		return Template{}, err
	}
	if err := t.validate(); err != nil {
		return Template{}, err
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if t.ID == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO status_templates (name, kind, status, title, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				t.Name, t.Kind, t.Status, t.Title, t.Body).Scan(&t.ID)
		} else {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `UPDATE status_templates SET name = $1, kind = $2, status = $3, title = $4, body = $5 WHERE id = $6`,
				t.Name, t.Kind, t.Status, t.Title, t.Body, t.ID)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return helpline.NotFound("template")
				}
			}
		}
		if db.IsUniqueViolation(err) {
			return errTemplateName
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "status.template_saved", "status_template", t.ID, map[string]any{"name": t.Name})
	})
	if err != nil {
		return Template{}, err
	}
	return t, nil
}

// DeleteTemplate removes a template (staff).
func (s *Service) DeleteTemplate(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM status_templates WHERE id = $1 RETURNING name`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("template")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "status.template_deleted", "status_template", id, map[string]any{"name": name})
	})
}
