package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the dialect's migrations in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS helpline_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// Migrate applies the migrations not yet applied, each in its own
// transaction. Several processes may start at once: on PostgreSQL an advisory
// lock serializes them, on SQLite the immediate transaction does.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	if db.Dialect == Postgres {
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(726354)`); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(726354)`) //nolint:errcheck
	}
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, conn, m); err != nil {
			return err
		}
	}
	if db.Dialect == SQLite {
		// River's migrator needs the pool's only connection.
		conn.Close()
	}
	// On PostgreSQL this runs on another connection while the lock is held.
	return db.migrateRiver(ctx)
}

func applyMigration(ctx context.Context, conn *sql.Conn, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM helpline_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO helpline_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, Time(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// PendingMigrations returns how many migrations are not applied yet; readiness
// checks use it so a load balancer waits for a migrated database.
func (db *DB) PendingMigrations(ctx context.Context) (int, error) {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT version FROM helpline_migrations`)
	if err != nil {
		return len(ms), err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	pending := 0
	for _, m := range ms {
		if !applied[m.Version] {
			pending++
		}
	}
	riverPending, err := db.riverPending(ctx)
	if riverPending {
		pending++
	}
	return pending, err
}
