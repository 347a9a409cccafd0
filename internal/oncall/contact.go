package oncall

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
)

// Kinds of contact method.
const (
	ContactEmail     = "email"
	ContactWebhook   = "webhook"
	ContactPagerDuty = "pagerduty"
)

// ContactMethodInput is what adding a contact method takes.
type ContactMethodInput struct {
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Address string `json:"address"` // the email, the webhook URL or the PagerDuty routing key
}

// maxContactMethods bounds how many ways one person can be paged.
const maxContactMethods = 20

func (in *ContactMethodInput) validate() error {
	in.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	in.Label = strings.TrimSpace(in.Label)
	in.Address = strings.TrimSpace(in.Address)
	v := helpline.Validation{}
	v.Check(utf8.RuneCountInString(in.Label) <= 100, "label", "must be at most 100 characters")
	switch in.Kind {
	case ContactEmail:
		a, err := mail.ParseAddress(in.Address)
		v.Check(err == nil && a.Address == in.Address && len(in.Address) <= 254 && strings.Contains(in.Address[strings.LastIndex(in.Address, "@")+1:], "."),
			"address", "must be an email address such as oncall@example.com")
	case ContactWebhook:
		u, err := url.Parse(in.Address)
		v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && len(in.Address) <= 2000,
			"address", "must be an http:// or https:// URL without credentials")
	case ContactPagerDuty:
		v.Check(validRoutingKey(in.Address), "address", "must be a PagerDuty Events API v2 integration (routing) key: 32 letters and digits")
	default:
		v.Add("kind", "must be email, webhook or pagerduty")
	}
	return v.Err()
}

func validRoutingKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ownerAllowed checks that actor may manage userID's contact methods: staff
// their own, admins anyone's (staff only: customers are never paged).
func ownerAllowed(actor *helpline.Actor, userID int64) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	if !actor.IsAdmin() && actor.UserID != userID {
		return helpline.NotFound("user")
	}
	return nil
}

// CreateContactMethod adds a way to reach a staff member. Webhooks get a
// signing secret, returned in ContactMethod.Secret this once.
func (s *Service) CreateContactMethod(ctx context.Context, actor *helpline.Actor, userID int64, in ContactMethodInput) (ContactMethod, error) {
	if err := ownerAllowed(actor, userID); err != nil {
		return ContactMethod{}, err
	}
	if err := in.validate(); err != nil {
		return ContactMethod{}, err
	}
	m := ContactMethod{UserID: userID, Kind: in.Kind, Label: in.Label, Address: in.Address, CreatedAt: s.nowUTC()}
	if m.Kind == ContactWebhook {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return ContactMethod{}, err
		}
		m.Secret = hex.EncodeToString(b)
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := checkStaff(ctx, tx, "user_id", userID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_methods WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= maxContactMethods {
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "Too many contact methods.",
				Fields: map[string]string{"kind": "delete one of the 20 existing contact methods first"}}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO contact_methods (user_id, kind, label, address, secret, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.UserID, m.Kind, m.Label, m.Address, m.Secret, m.CreatedAt).Scan(&m.ID); err != nil {
			return err
		}
		// The audit log never holds the address of a routing key or URL
		// in full: both work as credentials.
		return s.accounts.Audit(ctx, tx, actor, "oncall.contact_method_added", "user", userID,
			map[string]any{"contact_method_id": m.ID, "kind": m.Kind, "label": m.Label})
	})
	if err != nil {
		return ContactMethod{}, err
	}
	return m, nil
}

// FindContactMethods lists a user's contact methods, oldest first, without
// secrets. Staff see their own, admins anyone's.
func (s *Service) FindContactMethods(ctx context.Context, actor *helpline.Actor, userID int64) ([]ContactMethod, error) {
	if err := ownerAllowed(actor, userID); err != nil {
		return nil, err
	}
	out, err := s.contactMethodsOf(ctx, s.db, userID)
	for i := range out {
		out[i].Secret = ""
	}
	return out, err
}

// DeleteContactMethod removes a contact method. Staff remove their own,
// admins anyone's; others' methods answer NotFound.
func (s *Service) DeleteContactMethod(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var userID int64
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT user_id, kind FROM contact_methods WHERE id = $1`, id).Scan(&userID, &kind)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !actor.IsAdmin() && userID != actor.UserID) {
			return helpline.NotFound("contact method")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contact_methods WHERE id = $1`, id); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "oncall.contact_method_deleted", "user", userID, map[string]any{"contact_method_id": id, "kind": kind})
	})
}
