package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/drain"
)

// loadDrains gives acme-api a log drain and replays a surge of H12s that
// started 40 minutes ago and is over: Acme's members find its notice in
// their notification center and the surge under /drains.
func loadDrains(ctx context.Context, drains *drain.Service, accounts *account.Service) error {
	owner, err := accounts.FindUserByEmail(ctx, account.CLI(), "owner@acme.test")
	if err != nil {
		return fmt.Errorf("demo drain owner: %w", err)
	}
	ms, err := accounts.FindMemberships(ctx, owner.ID)
	if err != nil || len(ms) == 0 {
		return fmt.Errorf("demo drain: acme's organization: %v", err)
	}
	apps, err := accounts.FindApps(ctx, account.CLI(), ms[0].Org.ID)
	if err != nil {
		return fmt.Errorf("demo drain apps: %w", err)
	}
	var appID int64
	for _, a := range apps {
		if a.Name == "acme-api" {
			appID = a.ID
		}
	}
	if appID == 0 {
		return fmt.Errorf("demo drain: no app acme-api")
	}
	_, token, err := drains.CreateDrain(ctx, owner.Actor("127.0.0.1"), appID, drain.Settings{})
	if err != nil {
		return fmt.Errorf("demo drain: %w", err)
	}
	// Replay five minutes of logs from 40 minutes ago on a clock set then:
	// a few requests a second, with H12s on /checkout from the third minute.
	start := time.Now().UTC().Add(-40 * time.Minute).Truncate(time.Minute)
	for m := range 5 {
		minute := start.Add(time.Duration(m) * time.Minute)
		var b strings.Builder
		for i := range 120 {
			at := minute.Add(time.Duration(i) * 500 * time.Millisecond)
			line := fmt.Sprintf(`<158>1 %s host heroku router - at=info method=GET path="/products" host=acme-api.herokuapp.com request_id=demo-%d-%d fwd="203.0.113.9" dyno=web.1 connect=1ms service=42ms status=200 bytes=2310 protocol=https`,
				at.Format(time.RFC3339Nano), m, i)
			if m >= 2 && i%3 == 0 {
				line = fmt.Sprintf(`<158>1 %s host heroku router - at=error code=H12 desc="Request timeout" method=POST path="/checkout" host=acme-api.herokuapp.com request_id=demo-%d-%d fwd="203.0.113.9" dyno=web.2 connect=1ms service=30000ms status=503 bytes=0 protocol=https`,
					at.Format(time.RFC3339Nano), m, i)
			}
			fmt.Fprintf(&b, "%d %s\n", len(line)+1, line)
		}
		clock := minute.Add(59 * time.Second)
		past := drains.WithClock(func() time.Time { return clock })
		if _, err := past.Ingest(ctx, token, fmt.Sprintf("demo-frame-%d", m), strings.NewReader(b.String())); err != nil {
			return fmt.Errorf("demo drain logs: %w", err)
		}
	}
	// Now, more than ten quiet minutes later, the surge is over.
	if _, err := drains.Tick(ctx); err != nil {
		return fmt.Errorf("demo drain tick: %w", err)
	}
	return nil
}
