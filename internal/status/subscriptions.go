package status

import (
	"context"
	"database/sql"
	"time"

	"github.com/helpline-dev/helpline"
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
}

// queueNotification records a step subscribers hear about and queues the
// fan-out job, in the step's transaction.
func (s *Service) queueNotification(ctx context.Context, tx *sql.Tx, ev Event) error { return nil }

// Subscribe adds a subscriber; an email subscriber gets a confirmation
// message and hears nothing until they confirm. The secret of a webhook
// is returned once.
func (s *Service) Subscribe(ctx context.Context, actor *helpline.Actor, in SubscribeInput) (Subscriber, string, error) {
	return Subscriber{}, "", errTODO
}

// Confirm confirms an email subscription by its link's token.
func (s *Service) Confirm(ctx context.Context, token string) (Subscriber, error) {
	return Subscriber{}, errTODO
}

// Unsubscribe removes a subscription by its link's token.
func (s *Service) Unsubscribe(ctx context.Context, token string) error { return errTODO }

// FindSubscriptions lists the signed-in user's subscriptions (staff see all).
func (s *Service) FindSubscriptions(ctx context.Context, actor *helpline.Actor) ([]Subscriber, error) {
	return nil, errTODO
}

// SetSubscriptionComponents changes which components a subscription covers.
func (s *Service) SetSubscriptionComponents(ctx context.Context, actor *helpline.Actor, id int64, componentIDs []int64) (Subscriber, error) {
	return Subscriber{}, errTODO
}

// DeleteSubscription removes one of the actor's subscriptions.
func (s *Service) DeleteSubscription(ctx context.Context, actor *helpline.Actor, id int64) error {
	return errTODO
}

// NotifyOrganizations sends a targeted notification (staff) and returns the
// organizations it reached.
func (s *Service) NotifyOrganizations(ctx context.Context, actor *helpline.Actor, in TargetInput) (int, error) {
	return 0, errTODO
}

// FindNotices lists the actor's notices, newest first, and how many are unread.
func (s *Service) FindNotices(ctx context.Context, actor *helpline.Actor, unreadOnly bool, p helpline.Page) ([]Notice, int, error) {
	return nil, 0, errTODO
}

// MarkNoticesRead marks one notice (id > 0) or all of them read.
func (s *Service) MarkNoticesRead(ctx context.Context, actor *helpline.Actor, id int64) error {
	return errTODO
}
