package status_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/status"
)

func hasComponent(s *status.Snapshot, name string) bool {
	return slices.ContainsFunc(s.Components, func(c status.ComponentView) bool { return c.Name == name })
}

func cacheSnapshot(t *testing.T, c *status.Cache) *status.Snapshot {
	t.Helper()
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCacheServesOwnChangesAtOnce: a change this process committed is in
// the very next snapshot, and many changes in a row cost one rebuild.
func TestCacheServesOwnChangesAtOnce(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	cache, svc := env.App.StatusCache, env.App.Status
	first := cacheSnapshot(t, cache)
	if again := cacheSnapshot(t, cache); again != first {
		t.Fatal("an unchanged snapshot was rebuilt")
	}
	for i := range 5 {
		if _, err := svc.CreateComponent(ctx, account.CLI(), status.ComponentInput{Name: fmt.Sprintf("C%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	next := cacheSnapshot(t, cache)
	if next == first || next.Version <= first.Version {
		t.Fatalf("snapshot not rebuilt after changes: version %d then %d", first.Version, next.Version)
	}
	for i := range 5 {
		if !hasComponent(next, fmt.Sprintf("C%d", i)) {
			t.Fatalf("C%d missing from the snapshot after its creation", i)
		}
	}
	if again := cacheSnapshot(t, cache); again != next {
		t.Fatal("five changes rebuilt the snapshot more than once")
	}
}

// TestCacheConcurrentReaders: readers racing with changes always get a
// snapshot at least as new as every change committed before they asked.
func TestCacheConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	cache, svc := env.App.StatusCache, env.App.Status
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := cache.Snapshot(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := range 10 {
		name := fmt.Sprintf("R%d", i)
		if _, err := svc.CreateComponent(ctx, account.CLI(), status.ComponentInput{Name: name}); err != nil {
			t.Fatal(err)
		}
		if s := cacheSnapshot(t, cache); !hasComponent(s, name) {
			t.Fatalf("%s committed but missing from the next snapshot (version %d)", name, s.Version)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestCacheAcrossProcesses: two servers on one database; a change made in
// one shows in the other's snapshot promptly. On PostgreSQL the second's
// version check is off, so only LISTEN/NOTIFY can tell it.
func TestCacheAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	one := apptest.New(t, apptest.Options{})
	two := apptest.New(t, apptest.Options{DB: one.App.DB})
	if one.App.DB.Dialect == db.Postgres {
		status.SetRecheck(two.App.StatusCache, 0)
		if err := two.App.StatusCache.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(two.App.StatusCache.Close)
	}
	before := cacheSnapshot(t, two.App.StatusCache)
	if hasComponent(before, "Apps") {
		t.Fatal("Apps exists before it was created")
	}
	comp, err := one.App.Status.CreateComponent(ctx, account.CLI(), status.ComponentInput{Name: "Apps", Group: true})
	if err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, ok func(*status.Snapshot) bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			s := cacheSnapshot(t, two.App.StatusCache)
			if ok(s) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the second process never saw %s (its snapshot is version %d)", what, s.Version)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the new component", func(s *status.Snapshot) bool { return hasComponent(s, "Apps") })

	if _, err := one.App.Status.CreateComponent(ctx, account.CLI(), status.ComponentInput{Name: "Web", GroupID: comp.ID, Status: status.MajorOutage}); err != nil {
		t.Fatal(err)
	}
	waitFor("the major outage", func(s *status.Snapshot) bool { return s.Indicator == "major" })
}
