// Package db opens Helpline's database, SQLite or PostgreSQL, and migrates it.
// Stores write SQL in the subset both dialects share; the dialects differ only
// in the migration folders and in full-text search.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names a supported database.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a connection pool that knows its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	// URL is the URL the pool was opened with, for tools that open their own.
	URL string
}

// Querier is what a store needs to run SQL: the pool or a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SQLiteURL returns the URL of the embedded database in dataDir.
func SQLiteURL(dataDir string) string {
	return "sqlite:" + filepath.Join(dataDir, "helpline.db")
}

// Open opens the database at rawURL: postgres://… or postgresql://… for
// PostgreSQL, sqlite:PATH for SQLite (the directory is created).
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		pool, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return &DB{DB: pool, Dialect: Postgres, URL: rawURL}, nil
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, errors.New("sqlite URL needs a file path, e.g. sqlite:./helpline-data/helpline.db")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		q := url.Values{}
		for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
			q.Add("_pragma", p)
		}
		// Immediate transactions take the write lock up front, so two writers
		// queue instead of failing with SQLITE_BUSY halfway through.
		q.Set("_txlock", "immediate")
		pool, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// SQLite has one writer; one connection keeps River and the stores
		// from tripping over each other's locks.
		pool.SetMaxOpenConns(1)
		pool.SetConnMaxIdleTime(0)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		return &DB{DB: pool, Dialect: SQLite, URL: rawURL}, nil
	}
	return nil, fmt.Errorf("unsupported DATABASE_URL %q: use postgres://… or sqlite:PATH", redactURL(rawURL))
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// InTx runs fn in a transaction, committing when it returns nil. Inside fn,
// use only tx: with SQLite's single connection a second pool call deadlocks.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Time normalizes t for storage: UTC, microsecond precision, so values read
// back compare equal on both databases.
func Time(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// NullTime converts a nullable time column for scanning.
func NullTime(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}
