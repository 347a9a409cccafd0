package demo

import (
	"context"
	"fmt"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/status"
)

// loadStatusSubscriptions adds subscribers and a targeted notification:
// confirmed email subscribers (one of them for a single component), a
// webhook, a signed-in customer's own subscription, and a notice about
// Postgres maintenance in eu that Acme's members (acme-web runs
// heroku-postgresql in eu) find unread in their notification center.
// They subscribe after loadStatus's incidents, so nothing is sent for those.
func loadStatusSubscriptions(ctx context.Context, s *status.Service, accounts *account.Service) error {
	actor := func(email string) (*account.User, error) {
		u, err := accounts.FindUserByEmail(ctx, account.CLI(), email)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", email, err)
		}
		return &u, nil
	}
	admin, err := actor("admin@helpline.test")
	if err != nil {
		return err
	}
	ops := admin.Actor("127.0.0.1")

	components, err := s.FindComponents(ctx)
	if err != nil {
		return fmt.Errorf("demo subscriptions: %w", err)
	}
	byName := map[string]int64{}
	for _, c := range components {
		byName[c.Name] = c.ID
	}
	var postgresEU []int64
	if id, ok := byName["Postgres (EU)"]; ok {
		postgresEU = []int64{id}
	}

	for _, in := range []status.SubscribeInput{
		{Email: "ops-team@example.test"},
		{Email: "cto@example.test"},
		{Email: "dba@example.test", ComponentIDs: postgresEU},
	} {
		if _, err := s.AddConfirmedSubscriber(ctx, ops, in); err != nil {
			return fmt.Errorf("demo subscriber %s: %w", in.Email, err)
		}
	}
	if _, _, err := s.Subscribe(ctx, ops, status.SubscribeInput{URL: "https://hooks.example.test/helpline-status"}); err != nil {
		return fmt.Errorf("demo webhook subscriber: %w", err)
	}

	// A signed-in customer subscribing their own address is confirmed at once.
	dev, err := actor("dev@acme.test")
	if err != nil {
		return err
	}
	if _, _, err := s.Subscribe(ctx, dev.Actor("127.0.0.1"), status.SubscribeInput{Email: dev.Email, ComponentIDs: postgresEU}); err != nil {
		return fmt.Errorf("demo subscription of %s: %w", dev.Email, err)
	}

	_, err = s.NotifyOrganizations(ctx, ops, status.TargetInput{
		Title: "Postgres maintenance in eu",
		Body: "We will upgrade the storage of heroku-postgresql databases in the eu region this Sunday between 02:00 and 04:00 UTC. " +
			"Each database fails over once, for under a minute; apps reconnect on their own.",
		Addon:  "heroku-postgresql",
		Region: "eu",
		URL:    "/status",
	})
	if err != nil {
		return fmt.Errorf("demo targeted notification: %w", err)
	}
	return nil
}
