// Package dbtest gives each test its own migrated database: SQLite in a
// temporary directory, or a fresh PostgreSQL schema when
// HELPLINE_TEST_DATABASE_URL is set.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpline-dev/helpline/internal/db"
)

// EnvVar names the variable that switches the suite to PostgreSQL.
const EnvVar = "HELPLINE_TEST_DATABASE_URL"

// Open returns a migrated database for t, removed when t ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	d := OpenUnmigrated(t)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// URL returns a database URL of its own for t, for code that opens the
// database itself (the CLI, a second server process).
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		return db.SQLiteURL(t.TempDir())
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvVar, err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema (is PostgreSQL running at %s?): %v", EnvVar, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvVar, err)
	}
	q := u.Query()
	// pgx passes unknown parameters to the server as run-time settings.
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenUnmigrated returns an empty database for t.
func OpenUnmigrated(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// DataDir returns a temporary data directory.
func DataDir(t testing.TB) string {
	return filepath.Join(t.TempDir(), "data")
}
