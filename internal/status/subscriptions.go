package status

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Subscriber is someone told about incidents: by email (confirmed by a
// link: double opt-in) or by a signed webhook.
type Subscriber struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"` // email or webhook
	Email        string     `json:"email,omitempty"`
	URL          string     `json:"url,omitempty"`
	UserID       int64      `json:"user_id,omitempty"`
	ComponentIDs []int64    `json:"component_ids"` // empty: every component
	ConfirmedAt  *time.Time `json:"confirmed_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// SubscribeInput is a subscription request.
type SubscribeInput struct {
	Email        string  `json:"email"`
	URL          string  `json:"url"`
	ComponentIDs []int64 `json:"component_ids"`
}

// Notice is an in-app notification in a user's notification center.
type Notice struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	URL       string     `json:"url,omitempty"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// TargetInput is a targeted notification: it reaches the organizations
// with an app matching every filter given.
type TargetInput struct {
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Apps   []string `json:"apps"`   // app names
	Addon  string   `json:"addon"`  // an add-on the app uses
	Region string   `json:"region"` // the app's region
	Email  bool     `json:"email"`  // also email the members
	URL    string   `json:"url"`    // optional link shown with the notice
}

// Subscriber kinds.
const (
	SubscriberEmail   = "email"
	SubscriberWebhook = "webhook"
)

// Link token purposes.
const (
	tokenConfirm     = "confirm"
	tokenUnsubscribe = "unsubscribe"
)

const (
	// ConfirmResendInterval is how often re-subscribing may send another
	// confirmation email to the same address, so the form cannot be used
	// to flood someone's inbox.
	ConfirmResendInterval = 10 * time.Minute
	// ConfirmTTL is how long a confirmation link works.
	ConfirmTTL = 7 * 24 * time.Hour
)

// newToken returns a random link token and the hash stored for it.
func newToken() (token, hash string) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}

// issueToken stores the hash of a new token for a subscriber and returns
// the token for a link.
func (s *Service) issueToken(ctx context.Context, q db.Querier, subscriberID int64, purpose string, ttl time.Duration) (string, error) {
	token, hash := newToken()
	now := s.nowUTC()
	var expires *time.Time
	if ttl > 0 {
		e := now.Add(ttl)
		expires = &e
	}
	_, err := q.ExecContext(ctx, `INSERT INTO status_subscriber_tokens (token_hash, subscriber_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, subscriberID, purpose, now, expires)
	return token, err
}

// link returns an absolute URL of this Helpline.
func (s *Service) link(path string) string { return strings.TrimRight(s.baseURL, "/") + path }

// ConfirmEmailArgs is the job that emails a subscriber the confirmation
// link; the job makes the token, so it is never stored readable.
type ConfirmEmailArgs struct {
	SubscriberID int64 `json:"subscriber_id"`
}

// Kind names the job for River.
func (ConfirmEmailArgs) Kind() string { return "status_confirm_email" }

// InsertOpts puts confirmations with the other emails.
func (ConfirmEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "email", MaxAttempts: 10}
}

// queueNotification records a step subscribers hear about and queues the
// fan-out job, in the step's transaction. The operator's transaction does
// only this: one row and one job, however many subscribers there are. The
// same step queued twice is one notification.
func (s *Service) queueNotification(ctx context.Context, tx *sql.Tx, ev Event) error {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO status_notifications (kind, incident_id, update_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, incident_id, update_id) DO NOTHING RETURNING id`, ev.Kind, ev.IncidentID, ev.UpdateID, s.nowUTC()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.jobs == nil {
		return nil
	}
	_, err = s.jobs.InsertTx(ctx, tx, FanOutArgs{NotificationID: id}, nil)
	return err
}

// checkSubscribeInput normalizes and validates a subscription request.
func (s *Service) checkSubscribeInput(ctx context.Context, in *SubscribeInput) error {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.URL = strings.TrimSpace(in.URL)
	v := helpline.Validation{}
	switch {
	case in.Email == "" && in.URL == "":
		v.Add("email", "enter the email address to notify (or a webhook URL)")
	case in.Email != "" && in.URL != "":
		v.Add("url", "give an email address or a webhook URL, not both")
	case in.Email != "":
		addr, err := netmail.ParseAddress(in.Email)
		v.Check(err == nil && addr.Address == in.Email && len(in.Email) <= 254 && strings.Contains(in.Email, "."),
			"email", "must be an email address like you@example.com")
	default:
		u, err := url.Parse(in.URL)
		v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil && len(in.URL) <= 2000,
			"url", "must be an http:// or https:// URL like https://example.com/hooks/status")
	}
	ids, err := s.checkComponentIDs(ctx, in.ComponentIDs, v)
	if err != nil {
		return err
	}
	in.ComponentIDs = ids
	return v.Err()
}

// checkComponentIDs removes duplicates, sorts, and reports components that
// do not exist.
func (s *Service) checkComponentIDs(ctx context.Context, ids []int64, v helpline.Validation) ([]int64, error) {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	if len(out) == 0 {
		return out, nil
	}
	comps, err := s.FindComponents(ctx)
	if err != nil {
		return nil, err
	}
	known := map[int64]bool{}
	for _, c := range comps {
		known[c.ID] = true
	}
	for _, id := range out {
		if !known[id] {
			v.Add("component_ids", fmt.Sprintf("component %d does not exist; choose components from the status page's list", id))
		}
	}
	return out, nil
}

// Subscribe adds a subscriber; an email subscriber gets a confirmation
// message and hears nothing until they confirm. The secret of a webhook
// is returned once.
//
// A signed-in user subscribing their own account's address is confirmed at
// once (signing in proved the address). Subscribing an address again
// changes its components; when the caller has not proven the address and
// it is confirmed already, the new choice waits for the link in a new
// confirmation email, so a stranger cannot change someone's subscription.
// Confirmation emails go out at most once per ConfirmResendInterval.
func (s *Service) Subscribe(ctx context.Context, actor *helpline.Actor, in SubscribeInput) (Subscriber, string, error) {
	if err := s.checkSubscribeInput(ctx, &in); err != nil {
		return Subscriber{}, "", err
	}
	if in.URL != "" {
		// A webhook makes this server POST wherever it says; only people we
		// know may point it somewhere (an anonymous one could aim at
		// internal hosts).
		if actor == nil {
			return Subscriber{}, "", helpline.Validation{"url": "sign in to subscribe a webhook; anyone can subscribe by email"}.Err()
		}
		return s.subscribeWebhook(ctx, actor, in)
	}
	now := s.nowUTC()
	owner := actor != nil && strings.EqualFold(strings.TrimSpace(actor.Email), in.Email)
	var out Subscriber
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var userID sql.NullInt64
		var confirmed, sent sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT id, user_id, confirmed_at, confirm_sent_at FROM status_subscribers WHERE email = $1`, in.Email).
			Scan(&id, &userID, &confirmed, &sent)
		sendConfirmation := false
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var uid *int64
			if actor != nil && actor.UserID != 0 {
				uid = &actor.UserID
			}
			var confirmedAt, sentAt *time.Time
			if owner {
				confirmedAt = &now
			} else {
				sentAt, sendConfirmation = &now, true
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO status_subscribers (kind, email, user_id, all_components, confirmed_at, confirm_sent_at, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, SubscriberEmail, in.Email, uid, len(in.ComponentIDs) == 0, confirmedAt, sentAt, now).Scan(&id)
			if err != nil {
				return err
			}
			if err := setComponents(ctx, tx, id, in.ComponentIDs); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			mine := actor != nil && userID.Valid && userID.Int64 == actor.UserID
			if owner || mine || !confirmed.Valid {
				// Nothing is sent to an unconfirmed address, so its choice may
				// change freely; the owner may always change theirs.
				if err := setComponents(ctx, tx, id, in.ComponentIDs); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET pending_components = '' WHERE id = $1`, id); err != nil {
					return err
				}
			} else {
				pending, _ := json.Marshal(in.ComponentIDs)
				if _, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET pending_components = $1 WHERE id = $2`, string(pending), id); err != nil {
					return err
				}
			}
			if owner {
				if _, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET confirmed_at = COALESCE(confirmed_at, $1), user_id = COALESCE(user_id, $2) WHERE id = $3`,
					now, actor.UserID, id); err != nil {
					return err
				}
			} else if !mine || !confirmed.Valid {
				if actor != nil && !userID.Valid && !confirmed.Valid {
					if _, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET user_id = $1 WHERE id = $2`, actor.UserID, id); err != nil {
						return err
					}
				}
				if !sent.Valid || !sent.Time.Add(ConfirmResendInterval).After(now) {
					sendConfirmation = true
					if _, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET confirm_sent_at = $1 WHERE id = $2`, now, id); err != nil {
						return err
					}
				}
			}
		}
		if sendConfirmation && s.jobs != nil {
			if _, err := s.jobs.InsertTx(ctx, tx, ConfirmEmailArgs{SubscriberID: id}, nil); err != nil {
				return err
			}
		}
		sub, err := findSubscriber(ctx, tx, id)
		out = sub
		return err
	})
	if err != nil {
		return Subscriber{}, "", err
	}
	if actor == nil || (!owner && out.UserID != actor.UserID) {
		// Whether the address was subscribed before is not the caller's
		// business: answer the same either way.
		return Subscriber{Kind: SubscriberEmail, Email: in.Email, ComponentIDs: in.ComponentIDs, CreatedAt: now}, "", nil
	}
	return out, "", nil
}

func (s *Service) subscribeWebhook(ctx context.Context, actor *helpline.Actor, in SubscribeInput) (Subscriber, string, error) {
	secret, _ := newToken()
	now := s.nowUTC()
	var uid *int64
	if actor != nil && actor.UserID != 0 {
		uid = &actor.UserID
	}
	var out Subscriber
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		// The receiver proves nothing by confirming, and the secret is
		// only shown to the caller: webhooks start at once.
		err := tx.QueryRowContext(ctx, `INSERT INTO status_subscribers (kind, url, secret, user_id, all_components, confirmed_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, SubscriberWebhook, in.URL, secret, uid, len(in.ComponentIDs) == 0, now, now).Scan(&id)
		if err != nil {
			return err
		}
		if err := setComponents(ctx, tx, id, in.ComponentIDs); err != nil {
			return err
		}
		out, err = findSubscriber(ctx, tx, id)
		return err
	})
	if err != nil {
		return Subscriber{}, "", err
	}
	return out, secret, nil
}

// setComponents replaces a subscriber's components; none means all.
func setComponents(ctx context.Context, tx *sql.Tx, id int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM status_subscriber_components WHERE subscriber_id = $1`, id); err != nil {
		return err
	}
	for _, c := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO status_subscriber_components (subscriber_id, component_id) VALUES ($1, $2)`, id, c); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET all_components = $1 WHERE id = $2`, len(ids) == 0, id)
	return err
}

const subscriberColumns = `id, kind, COALESCE(email, ''), url, user_id, confirmed_at, created_at`

func scanSubscriber(row interface{ Scan(...any) error }) (Subscriber, error) {
	var sub Subscriber
	var uid sql.NullInt64
	var confirmed sql.NullTime
	if err := row.Scan(&sub.ID, &sub.Kind, &sub.Email, &sub.URL, &uid, &confirmed, &sub.CreatedAt); err != nil {
		return sub, err
	}
	sub.UserID = uid.Int64
	sub.ConfirmedAt = db.NullTime(confirmed)
	sub.CreatedAt = sub.CreatedAt.UTC()
	sub.ComponentIDs = []int64{}
	return sub, nil
}

// findSubscriber reads one subscriber with its components.
func findSubscriber(ctx context.Context, q db.Querier, id int64) (Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM status_subscribers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, helpline.NotFound("subscription")
	}
	if err != nil {
		return sub, err
	}
	subs := []Subscriber{sub}
	if err := loadComponents(ctx, q, subs); err != nil {
		return sub, err
	}
	return subs[0], nil
}

// loadComponents fills in the subscribers' component choices.
func loadComponents(ctx context.Context, q db.Querier, subs []Subscriber) error {
	if len(subs) == 0 {
		return nil
	}
	index := map[int64]int{}
	args := []any{}
	marks := []string{}
	for i, sub := range subs {
		index[sub.ID] = i
		args = append(args, sub.ID)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := q.QueryContext(ctx, `SELECT subscriber_id, component_id FROM status_subscriber_components WHERE subscriber_id IN (`+
		strings.Join(marks, ", ")+`) ORDER BY subscriber_id, component_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sid, cid int64
		if err := rows.Scan(&sid, &cid); err != nil {
			return err
		}
		i := index[sid]
		subs[i].ComponentIDs = append(subs[i].ComponentIDs, cid)
	}
	return rows.Err()
}

// errBadLink is what an unknown, used or expired link gets.
var errBadLink = helpline.Errorf(helpline.KindNotFound, "this link is unknown or has expired; subscribe again on the status page to get a new one")

// Confirm confirms an email subscription by its link's token. Following
// the link again is harmless.
func (s *Service) Confirm(ctx context.Context, token string) (Subscriber, error) {
	now := s.nowUTC()
	var out Subscriber
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var expires sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT subscriber_id, expires_at FROM status_subscriber_tokens WHERE token_hash = $1 AND purpose = $2`,
			hashToken(token), tokenConfirm).Scan(&id, &expires)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && expires.Valid && !expires.Time.After(now)) {
			return errBadLink
		}
		if err != nil {
			return err
		}
		var pending string
		if err := tx.QueryRowContext(ctx, `SELECT pending_components FROM status_subscribers WHERE id = $1`, id).Scan(&pending); err != nil {
			return err
		}
		if pending != "" {
			var ids []int64
			if err := json.Unmarshal([]byte(pending), &ids); err == nil {
				if err := setComponents(ctx, tx, id, ids); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE status_subscribers SET confirmed_at = COALESCE(confirmed_at, $1), pending_components = '' WHERE id = $2`, now, id); err != nil {
			return err
		}
		out, err = findSubscriber(ctx, tx, id)
		return err
	})
	return out, err
}

// Unsubscribe removes a subscription by its link's token.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT subscriber_id FROM status_subscriber_tokens WHERE token_hash = $1 AND purpose = $2`,
			hashToken(token), tokenUnsubscribe).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.Errorf(helpline.KindNotFound, "this unsubscribe link is unknown, or the subscription was removed already")
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM status_subscribers WHERE id = $1`, id)
		return err
	})
}

// staffListLimit bounds the staff's list of subscribers, which may hold
// hundreds of thousands.
const staffListLimit = 500

// FindSubscriptions lists the signed-in user's subscriptions (staff see
// all, newest first, up to 500).
func (s *Service) FindSubscriptions(ctx context.Context, actor *helpline.Actor) ([]Subscriber, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in to see your subscriptions")
	}
	query := `SELECT ` + subscriberColumns + ` FROM status_subscribers WHERE user_id = $1 ORDER BY id`
	args := []any{actor.UserID}
	if actor.IsStaff() {
		query = `SELECT ` + subscriberColumns + ` FROM status_subscribers ORDER BY id DESC LIMIT $1`
		args = []any{staffListLimit}
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := []Subscriber{}
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, sub)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadComponents(ctx, s.db, out)
}

// mySubscription returns a subscription the actor may change: their own,
// or any for staff; anything else is not found.
func mySubscription(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, id int64) (Subscriber, error) {
	if actor == nil {
		return Subscriber{}, helpline.Errorf(helpline.KindUnauthorized, "sign in to change your subscriptions")
	}
	sub, err := findSubscriber(ctx, tx, id)
	if err != nil {
		return sub, err
	}
	if !actor.IsStaff() && sub.UserID != actor.UserID {
		return Subscriber{}, helpline.NotFound("subscription")
	}
	return sub, nil
}

// SetSubscriptionComponents changes which components a subscription covers.
func (s *Service) SetSubscriptionComponents(ctx context.Context, actor *helpline.Actor, id int64, componentIDs []int64) (Subscriber, error) {
	v := helpline.Validation{}
	ids, err := s.checkComponentIDs(ctx, componentIDs, v)
	if err != nil {
		return Subscriber{}, err
	}
	var out Subscriber
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := mySubscription(ctx, tx, actor, id); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := setComponents(ctx, tx, id, ids); err != nil {
			return err
		}
		var err error
		out, err = findSubscriber(ctx, tx, id)
		return err
	})
	return out, err
}

// DeleteSubscription removes one of the actor's subscriptions.
func (s *Service) DeleteSubscription(ctx context.Context, actor *helpline.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := mySubscription(ctx, tx, actor, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM status_subscribers WHERE id = $1`, id)
		return err
	})
}

// AddConfirmedSubscriber adds an email subscriber without the confirmation
// email, for admins moving a list they already have (and the demo). It
// replaces the components of an address already subscribed.
func (s *Service) AddConfirmedSubscriber(ctx context.Context, actor *helpline.Actor, in SubscribeInput) (Subscriber, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Subscriber{}, err
	}
	if strings.TrimSpace(in.URL) != "" {
		return Subscriber{}, helpline.Validation{"url": "only email subscribers are added this way; subscribe a webhook instead"}.Err()
	}
	if err := s.checkSubscribeInput(ctx, &in); err != nil {
		return Subscriber{}, err
	}
	now := s.nowUTC()
	var out Subscriber
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO status_subscribers (kind, email, all_components, confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (email) DO UPDATE SET confirmed_at = COALESCE(status_subscribers.confirmed_at, excluded.confirmed_at) RETURNING id`,
			SubscriberEmail, in.Email, len(in.ComponentIDs) == 0, now, now).Scan(&id)
		if err != nil {
			return err
		}
		if err := setComponents(ctx, tx, id, in.ComponentIDs); err != nil {
			return err
		}
		out, err = findSubscriber(ctx, tx, id)
		return err
	})
	return out, err
}

const (
	// unconfirmedTTL is how long an address that never confirmed is kept.
	unconfirmedTTL = 30 * 24 * time.Hour
	// unsubscribeTTL is how long the unsubscribe link of an email works;
	// every email makes one, so they are not kept forever.
	unsubscribeTTL = 365 * 24 * time.Hour
)

// CleanupSubscriptions deletes expired confirmation links, unsubscribe
// links older than a year and addresses that never confirmed within 30
// days; a daily job calls it. It returns how many rows it removed.
func (s *Service) CleanupSubscriptions(ctx context.Context) (int64, error) {
	now := s.nowUTC()
	var total int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM status_subscriber_tokens WHERE purpose = $1 AND expires_at < $2`, []any{tokenConfirm, now}},
		{`DELETE FROM status_subscriber_tokens WHERE purpose = $1 AND created_at < $2`, []any{tokenUnsubscribe, now.Add(-unsubscribeTTL)}},
		{`DELETE FROM status_subscribers WHERE confirmed_at IS NULL AND created_at < $1`, []any{now.Add(-unconfirmedTTL)}},
	} {
		res, err := s.db.ExecContext(ctx, q.sql, q.args...)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
