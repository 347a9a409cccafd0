// Package drain receives apps' logs from the platform's log drains, keeps
// a rolling window of error counts per app, and tells the owning
// organization (and optionally opens a ticket) when an error surge starts:
// support that reaches out before the customer writes.
package drain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Limits and windows.
const (
	// MaxBody bounds one POST from the platform; logplex batches are far
	// smaller.
	MaxBody = 1 << 20
	// Retention is how long per-minute counts and frame ids are kept.
	Retention = 2 * time.Hour
	// QuietAfter closes a surge once no minute has been over the threshold
	// for this long.
	QuietAfter = 10 * time.Minute
	// Window is what a surge is measured over; the baseline is the
	// BaselineWindow before it.
	Window         = 5 * time.Minute
	BaselineWindow = 30 * time.Minute
	tokenPrefix    = "hld_"
	requestsCode   = "requests" // the drain_counts row of all router requests
)

// Unavailable codes say the app could not serve at all: crashed (H10),
// no web dynos (H14), boot timeout (H20), platform error (H99).
var Unavailable = []string{"H10", "H14", "H20", "H99"}

// Thresholds say when the error rate is a surge: a minute with at least
// MinErrorsPerMinute errors and BaselineFactor times the average of the
// BaselineWindow before, or unavailable codes on at least
// UnavailablePercent of requests for UnavailableMinutes minutes in a row.
type Thresholds struct {
	MinErrorsPerMinute int `json:"min_errors_per_minute"`
	BaselineFactor     int `json:"baseline_factor"`
	UnavailablePercent int `json:"unavailable_percent"`
	UnavailableMinutes int `json:"unavailable_minutes"`
}

// DefaultThresholds are what a new drain gets.
var DefaultThresholds = Thresholds{MinErrorsPerMinute: 20, BaselineFactor: 5, UnavailablePercent: 50, UnavailableMinutes: 2}

// Drain is an app's log drain. The token itself is shown once, when it is
// created or rotated; only its hash and prefix are stored.
type Drain struct {
	ID          int64  `json:"id"`
	AppID       int64  `json:"app_id"`
	AppName     string `json:"app"`
	OrgID       int64  `json:"organization_id"`
	TokenPrefix string `json:"token_prefix"`
	Notify      bool   `json:"notify"`
	OpenTicket  bool   `json:"open_ticket"`
	Thresholds
	CreatedBy      int64      `json:"created_by,omitempty"`
	LastReceivedAt *time.Time `json:"last_received_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Settings change a drain; nil fields keep the current value (or the
// default, when creating).
type Settings struct {
	Notify             *bool `json:"notify"`
	OpenTicket         *bool `json:"open_ticket"`
	MinErrorsPerMinute *int  `json:"min_errors_per_minute"`
	BaselineFactor     *int  `json:"baseline_factor"`
	UnavailablePercent *int  `json:"unavailable_percent"`
	UnavailableMinutes *int  `json:"unavailable_minutes"`
}

// apply puts the settings on d and validates the result.
func (in Settings) apply(d *Drain) error {
	set := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	if in.Notify != nil {
		d.Notify = *in.Notify
	}
	if in.OpenTicket != nil {
		d.OpenTicket = *in.OpenTicket
	}
	set(&d.MinErrorsPerMinute, in.MinErrorsPerMinute)
	set(&d.BaselineFactor, in.BaselineFactor)
	set(&d.UnavailablePercent, in.UnavailablePercent)
	set(&d.UnavailableMinutes, in.UnavailableMinutes)
	v := helpline.Validation{}
	v.Check(d.MinErrorsPerMinute >= 1 && d.MinErrorsPerMinute <= 100000, "min_errors_per_minute", "must be a number from 1 to 100,000 (errors in one minute)")
	v.Check(d.BaselineFactor >= 1 && d.BaselineFactor <= 100, "baseline_factor", "must be a number from 1 to 100 (times the previous 30 minutes' rate)")
	v.Check(d.UnavailablePercent >= 1 && d.UnavailablePercent <= 100, "unavailable_percent", "must be a percentage from 1 to 100")
	v.Check(d.UnavailableMinutes >= 1 && d.UnavailableMinutes <= 5, "unavailable_minutes", "must be a number of minutes from 1 to 5")
	return v.Err()
}

// AppRef is the app a drain belongs to, as the caller sees it.
type AppRef struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	OrgID   int64  `json:"organization_id"`
	OrgName string `json:"organization"`
}

// AppDrain is an app and its drain (nil when it has none).
type AppDrain struct {
	App       AppRef `json:"app"`
	Drain     *Drain `json:"drain"`
	CanManage bool   `json:"can_manage"` // org owners and staff
}

// Service is the log drain store and surge detector.
type Service struct {
	db       *db.DB
	accounts *account.Service
	tickets  *ticket.Service
	status   *status.Service // notices to the organization
	now      func() time.Time
}

// Options configure a Service.
type Options struct {
	Now     func() time.Time
	Tickets *ticket.Service
	Status  *status.Service
}

// NewService returns the drain service.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, tickets: opts.Tickets, status: opts.Status, now: opts.Now}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }

// URL is the address a platform's log drain posts to.
func URL(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/drains/" + token
}

// newToken returns a random drain token and its SHA-256 for storage.
func newToken() (token, hash string) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// findApp returns the app if the actor may see it (staff, or a member of
// its organization) and whether they may manage its drain (staff or an
// owner). Anyone else gets NotFound.
func (s *Service) findApp(ctx context.Context, q db.Querier, actor *helpline.Actor, appID int64) (AppRef, bool, error) {
	var a AppRef
	if actor == nil {
		return a, false, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	err := q.QueryRowContext(ctx, `SELECT a.id, a.name, o.id, o.name FROM apps a JOIN organizations o ON o.id = a.org_id WHERE a.id = $1`, appID).
		Scan(&a.ID, &a.Name, &a.OrgID, &a.OrgName)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, helpline.NotFound("app")
	}
	if err != nil {
		return a, false, err
	}
	if actor.IsStaff() {
		return a, true, nil
	}
	var role account.OrgRole
	err = q.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2`, a.OrgID, actor.UserID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return AppRef{}, false, helpline.NotFound("app")
	}
	return a, role == account.OrgOwner, err
}

func (s *Service) manageApp(ctx context.Context, q db.Querier, actor *helpline.Actor, appID int64) (AppRef, error) {
	a, manage, err := s.findApp(ctx, q, actor, appID)
	if err == nil && !manage {
		err = helpline.Errorf(helpline.KindForbidden, "only the organization's owners can manage %s's log drain", a.Name)
	}
	return a, err
}

const drainColumns = `d.id, d.app_id, a.name, a.org_id, d.token_prefix, d.notify, d.open_ticket, d.min_errors_per_minute, d.baseline_factor,
	d.unavailable_percent, d.unavailable_minutes, d.created_by, d.last_received_at, d.created_at, d.updated_at`

func scanDrain(row interface{ Scan(...any) error }, d *Drain) error {
	var createdBy sql.NullInt64
	var last sql.NullTime
	if err := row.Scan(&d.ID, &d.AppID, &d.AppName, &d.OrgID, &d.TokenPrefix, &d.Notify, &d.OpenTicket, &d.MinErrorsPerMinute, &d.BaselineFactor,
		&d.UnavailablePercent, &d.UnavailableMinutes, &createdBy, &last, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return err
	}
	d.CreatedBy = createdBy.Int64
	d.LastReceivedAt = db.NullTime(last)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return nil
}

func findDrainByApp(ctx context.Context, q db.Querier, appID int64) (*Drain, error) {
	var d Drain
	err := scanDrain(q.QueryRowContext(ctx, `SELECT `+drainColumns+` FROM drains d JOIN apps a ON a.id = d.app_id WHERE d.app_id = $1`, appID), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// FindAppDrain returns an app the actor may see and its drain, if any.
func (s *Service) FindAppDrain(ctx context.Context, actor *helpline.Actor, appID int64) (AppDrain, error) {
	a, manage, err := s.findApp(ctx, s.db, actor, appID)
	if err != nil {
		return AppDrain{}, err
	}
	d, err := findDrainByApp(ctx, s.db, appID)
	return AppDrain{App: a, Drain: d, CanManage: manage}, err
}

// FindAppDrains lists the apps of the actor's organizations (every app,
// for staff, at most 500) with their drains, by organization and name.
func (s *Service) FindAppDrains(ctx context.Context, actor *helpline.Actor) ([]AppDrain, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	query := `SELECT a.id, a.name, o.id, o.name, 'owner', d.id FROM apps a JOIN organizations o ON o.id = a.org_id
		LEFT JOIN drains d ON d.app_id = a.id ORDER BY lower(o.name), a.name LIMIT 500`
	args := []any{}
	if !actor.IsStaff() {
		query = `SELECT a.id, a.name, o.id, o.name, m.role, d.id FROM apps a JOIN organizations o ON o.id = a.org_id
			JOIN memberships m ON m.org_id = o.id AND m.user_id = $1
			LEFT JOIN drains d ON d.app_id = a.id ORDER BY lower(o.name), a.name LIMIT 500`
		args = append(args, actor.UserID)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := []AppDrain{}
	for rows.Next() {
		var ad AppDrain
		var role string
		var drainID sql.NullInt64
		if err := rows.Scan(&ad.App.ID, &ad.App.Name, &ad.App.OrgID, &ad.App.OrgName, &role, &drainID); err != nil {
			rows.Close()
			return nil, err
		}
		ad.CanManage = role == string(account.OrgOwner)
		if drainID.Valid {
			ad.Drain = &Drain{ID: drainID.Int64}
		}
		out = append(out, ad)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Drain != nil {
			if out[i].Drain, err = findDrainByApp(ctx, s.db, out[i].App.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// CreateDrain gives an app a log drain (org owners and staff) and returns
// it with its token, shown this once. An app has at most one drain.
func (s *Service) CreateDrain(ctx context.Context, actor *helpline.Actor, appID int64, in Settings) (Drain, string, error) {
	var d Drain
	token, hash := newToken()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		a, err := s.manageApp(ctx, tx, actor, appID)
		if err != nil {
			return err
		}
		d = Drain{AppID: a.ID, AppName: a.Name, OrgID: a.OrgID, Notify: true, Thresholds: DefaultThresholds}
		if err := in.apply(&d); err != nil {
			return err
		}
		now := s.nowUTC()
		d.TokenPrefix, d.CreatedAt, d.UpdatedAt = token[:len(tokenPrefix)+4], now, now
		var createdBy any
		if actor.UserID != 0 {
			createdBy, d.CreatedBy = actor.UserID, actor.UserID
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO drains (app_id, token_hash, token_prefix, created_by, notify, open_ticket, min_errors_per_minute,
			baseline_factor, unavailable_percent, unavailable_minutes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT DO NOTHING RETURNING id`,
			d.AppID, hash, d.TokenPrefix, createdBy, d.Notify, d.OpenTicket, d.MinErrorsPerMinute, d.BaselineFactor,
			d.UnavailablePercent, d.UnavailableMinutes, now).Scan(&d.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: a.Name + " already has a log drain: rotate its token or delete it.",
				Fields: map[string]string{"app": "already has a log drain"}}
		}
		if err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "drain.created", "app", a.ID, map[string]any{"app": a.Name, "open_ticket": d.OpenTicket})
	})
	if err != nil {
		return Drain{}, "", err
	}
	return d, token, nil
}

// UpdateDrain changes a drain's settings (org owners and staff).
func (s *Service) UpdateDrain(ctx context.Context, actor *helpline.Actor, appID int64, in Settings) (Drain, error) {
	var out Drain
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		a, d, err := s.managedDrain(ctx, tx, actor, appID)
		if err != nil {
			return err
		}
		if err := in.apply(d); err != nil {
			return err
		}
		d.UpdatedAt = s.nowUTC()
		if _, err := tx.ExecContext(ctx, `UPDATE drains SET notify = $1, open_ticket = $2, min_errors_per_minute = $3, baseline_factor = $4,
			unavailable_percent = $5, unavailable_minutes = $6, updated_at = $7 WHERE id = $8`,
			d.Notify, d.OpenTicket, d.MinErrorsPerMinute, d.BaselineFactor, d.UnavailablePercent, d.UnavailableMinutes, d.UpdatedAt, d.ID); err != nil {
			return err
		}
		out = *d
		return s.accounts.Audit(ctx, tx, actor, "drain.updated", "app", a.ID, map[string]any{"app": a.Name, "notify": d.Notify, "open_ticket": d.OpenTicket, "thresholds": d.Thresholds})
	})
	return out, err
}

// RotateToken replaces a drain's token: the old URL stops working at once.
func (s *Service) RotateToken(ctx context.Context, actor *helpline.Actor, appID int64) (Drain, string, error) {
	var out Drain
	token, hash := newToken()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		a, d, err := s.managedDrain(ctx, tx, actor, appID)
		if err != nil {
			return err
		}
		d.TokenPrefix, d.UpdatedAt = token[:len(tokenPrefix)+4], s.nowUTC()
		if _, err := tx.ExecContext(ctx, `UPDATE drains SET token_hash = $1, token_prefix = $2, updated_at = $3 WHERE id = $4`, hash, d.TokenPrefix, d.UpdatedAt, d.ID); err != nil {
			return err
		}
		out = *d
		return s.accounts.Audit(ctx, tx, actor, "drain.token_rotated", "app", a.ID, map[string]any{"app": a.Name})
	})
	if err != nil {
		return Drain{}, "", err
	}
	return out, token, nil
}

// DeleteDrain removes an app's drain; its counts go with it, its surges
// stay as history.
func (s *Service) DeleteDrain(ctx context.Context, actor *helpline.Actor, appID int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		a, d, err := s.managedDrain(ctx, tx, actor, appID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM drains WHERE id = $1`, d.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM drain_counts WHERE app_id = $1`, a.ID); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "drain.deleted", "app", a.ID, map[string]any{"app": a.Name})
	})
}

func (s *Service) managedDrain(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, appID int64) (AppRef, *Drain, error) {
	a, err := s.manageApp(ctx, tx, actor, appID)
	if err != nil {
		return a, nil, err
	}
	d, err := findDrainByApp(ctx, tx, appID)
	if err == nil && d == nil {
		err = helpline.NotFound("log drain")
	}
	return a, d, err
}

// WithClock returns a copy of the service that reads time from now: the
// demo replays a past surge with it.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}
