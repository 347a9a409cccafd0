package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// RiverDriver returns the River driver for this database. Both drivers work on
// *sql.Tx, so jobs are inserted in the same transaction as the data they
// follow from, on either database.
func (db *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if db.Dialect == SQLite {
		return riversqlite.New(db.DB)
	}
	return riverdatabasesql.New(db.DB)
}

func (db *DB) riverMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	return rivermigrate.New(db.RiverDriver(), &rivermigrate.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func (db *DB) migrateRiver(ctx context.Context) error {
	m, err := db.riverMigrator()
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

func (db *DB) riverPending(ctx context.Context) (bool, error) {
	m, err := db.riverMigrator()
	if err != nil {
		return true, err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return true, err
	}
	return !res.OK, nil
}
