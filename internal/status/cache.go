package status

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/helpline-dev/helpline/internal/db"
)

// notifyChannel is the PostgreSQL channel status changes are announced on.
// The payload is the schema the change happened in, so databases shared by
// several installations (or test schemas) do not wake each other, then a
// space and the announcing cache's ID, so a cache ignores its own news.
const notifyChannel = "helpline_status"

// Cache timings. Every change this process commits invalidates the snapshot
// at once; these only bound how long news from elsewhere can take.
const (
	// recheckEvery bounds how often a read compares the snapshot's version
	// with the database's: the fallback for a NOTIFY that never came (the
	// listener was reconnecting, or another process wrote to SQLite).
	recheckEvery = time.Second
	// refreshEvery rebuilds an unchanged snapshot in the background, since
	// time alone moves things: today's uptime, the window of recent incidents.
	refreshEvery = time.Minute
	// buildTimeout bounds a rebuild, which no single request may cancel:
	// every reader waiting for it would fail with that request.
	buildTimeout = 30 * time.Second
	// retryAfterError keeps a failing database from being asked for a
	// snapshot on every request; the last good one is served meanwhile.
	retryAfterError = time.Second
	// listenPoll is how often the idle listener checks that the service's
	// database pool is still open, so a closed App does not leak it.
	listenPoll = 5 * time.Second
	maxBackoff = 30 * time.Second
)

// Cache serves the Snapshot from memory and rebuilds it when the status
// changes: in this process through the Service's change hook, and in
// others on PostgreSQL through LISTEN/NOTIFY.
//
// Reads are one atomic load while nothing changed. A change marks the
// snapshot stale (many changes in a row: one rebuild), and the next read
// rebuilds it before answering, so no one is ever shown a page older than
// a change this process has committed.
type Cache struct {
	svc *Service
	id  string // names this cache in NOTIFY payloads

	cur atomic.Pointer[cached]
	// gen counts invalidations; a snapshot built at an older gen is stale.
	gen atomic.Int64
	// mu makes rebuilds one at a time: readers who find the snapshot stale
	// wait for the rebuild under way rather than start their own.
	mu        sync.Mutex
	failedAt  time.Time // last failed rebuild (under mu)
	checkedAt atomic.Int64
	recheck   time.Duration // 0 disables the version check (tests)

	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan struct{}
}

type cached struct {
	snap  *Snapshot
	gen   int64
	built time.Time // wall clock, for refreshEvery
}

// NewCache returns a cache of s's snapshot and hooks it to s's changes.
func NewCache(s *Service) *Cache {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	c := &Cache{svc: s, id: hex.EncodeToString(b), recheck: recheckEvery}
	s.OnChange(c.changed)
	return c
}

// changed runs after every change this process commits.
func (c *Cache) changed() {
	c.Invalidate()
	if c.svc.db.Dialect != db.Postgres {
		return
	}
	// Tell the other processes. Failing here only delays them until their
	// next version check, so the error is not the operator's problem.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = c.svc.db.ExecContext(ctx, `SELECT pg_notify($1, current_schema() || ' ' || $2)`, notifyChannel, c.id)
}

// Invalidate marks the snapshot stale: the next read rebuilds it.
func (c *Cache) Invalidate() { c.gen.Add(1) }

// Notify announces a status change to every process's cache on PostgreSQL,
// in tx so it is heard exactly when tx commits; on SQLite it does nothing.
// The Service's change hook already announces changes after they commit;
// this is for changes made without the Service.
func Notify(ctx context.Context, tx *sql.Tx, d *db.DB) error {
	if d.Dialect != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, current_schema())`, notifyChannel)
	return err
}

// Snapshot returns the current snapshot, building it if needed.
func (c *Cache) Snapshot(ctx context.Context) (*Snapshot, error) {
	cur := c.cur.Load()
	if cur != nil && c.recheck > 0 && c.due(c.recheck) {
		// Cheap: one indexed row. A failure here is the rebuild's to report.
		if v, _, err := c.svc.Version(ctx); err == nil && v != cur.snap.Version {
			c.Invalidate()
		}
	}
	if cur != nil && cur.gen == c.gen.Load() {
		if time.Since(cur.built) > refreshEvery && c.mu.TryLock() {
			go func() {
				defer c.mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
				defer cancel()
				_, _ = c.buildLocked(ctx)
			}()
		}
		return cur.snap, nil
	}
	return c.rebuild(ctx)
}

// due reports whether every has passed since the last version check, and
// if so claims the check for the caller: one reader a second does it.
func (c *Cache) due(every time.Duration) bool {
	now := time.Now().UnixNano()
	last := c.checkedAt.Load()
	return now-last >= int64(every) && c.checkedAt.CompareAndSwap(last, now)
}

func (c *Cache) rebuild(ctx context.Context) (*Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.cur.Load()
	if cur != nil && cur.gen == c.gen.Load() {
		return cur.snap, nil // rebuilt while we waited
	}
	if cur != nil && time.Since(c.failedAt) < retryAfterError {
		return cur.snap, nil
	}
	// The build outlives a reader who gives up: the others wait for it.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), buildTimeout)
	defer cancel()
	snap, err := c.buildLocked(bctx)
	if err != nil {
		if cur != nil {
			// During an outage of our own database the last known page
			// beats an error page.
			return cur.snap, nil
		}
		return nil, err
	}
	return snap, nil
}

// buildLocked builds a snapshot and installs it; c.mu is held.
func (c *Cache) buildLocked(ctx context.Context) (*Snapshot, error) {
	// Read gen first: a change committed during the build bumps it, and
	// the snapshot stays stale for the next read.
	gen := c.gen.Load()
	snap, err := c.svc.BuildSnapshot(ctx)
	if err != nil {
		c.failedAt = time.Now()
		return nil, err
	}
	c.failedAt = time.Time{}
	c.cur.Store(&cached{snap: snap, gen: gen, built: time.Now()})
	return snap, nil
}

// Start listens for other processes' changes until ctx ends or Close
// (PostgreSQL; nothing to do on SQLite, which has one process). It returns
// once the first LISTEN is in place, or with the error that prevented it.
func (c *Cache) Start(ctx context.Context) error {
	if c.svc.db.Dialect != db.Postgres || c.done != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	conn, schema, err := c.listen(ctx)
	if err != nil {
		cancel()
		return err
	}
	c.cancel, c.done = cancel, make(chan struct{})
	go c.run(ctx, conn, schema)
	return nil
}

// Close stops the listener and waits for it.
func (c *Cache) Close() {
	c.stopOnce.Do(func() {
		if c.cancel != nil {
			c.cancel()
			<-c.done
		}
	})
}

// listen opens the cache's own connection, outside the pool: LISTEN
// belongs to a session, and the pool would hand that session to others.
func (c *Cache) listen(ctx context.Context) (*pgx.Conn, string, error) {
	cfg, err := pgx.ParseConfig(c.svc.db.URL)
	if err != nil {
		return nil, "", err
	}
	// The listener waits with a timeout to poll; by default pgx answers a
	// timeout by sending the server a cancel request (a new connection),
	// which has nothing to cancel here. A read deadline is enough.
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: pc.Conn()}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, "", err
	}
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		conn.Close(context.Background())
		return nil, "", err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+notifyChannel); err != nil {
		conn.Close(context.Background())
		return nil, "", err
	}
	return conn, schema, nil
}

func (c *Cache) run(ctx context.Context, conn *pgx.Conn, schema string) {
	defer close(c.done)
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			var err error
			if conn, schema, err = c.listen(ctx); err != nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, maxBackoff)
				continue
			}
			backoff = 100 * time.Millisecond
			// Changes made while we were not listening went unheard.
			c.Invalidate()
		}
		err := c.wait(ctx, conn, schema)
		if ctx.Err() != nil || errors.Is(err, errPoolClosed) {
			conn.Close(context.Background())
			return
		}
		if err != nil {
			conn.Close(context.Background())
			conn = nil
		}
	}
}

var errPoolClosed = errors.New("status cache: database closed")

// wait handles notifications until the connection fails; every listenPoll
// it checks that the service's pool is still open.
func (c *Cache) wait(ctx context.Context, conn *pgx.Conn, schema string) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPoll)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			from, origin, _ := strings.Cut(n.Payload, " ")
			if from == schema && origin != c.id {
				c.Invalidate()
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err) && !conn.IsClosed():
			// database/sql does not export its "closed" error; Ping on
			// a closed pool fails without touching the network.
			if err := c.svc.db.PingContext(ctx); err != nil && strings.Contains(err.Error(), "database is closed") {
				return errPoolClosed
			}
		default:
			return err
		}
	}
}
