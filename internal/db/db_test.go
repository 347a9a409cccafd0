package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
)

// The two dialects must carry the same migrations, or one database would
// silently lack a table the other has.
func TestMigrationVersionsMatch(t *testing.T) {
	lite, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %q, postgres %q", i, lite[i].Name, pg[i].Name)
		}
	}
}

func TestMigrateIsIdempotentAndReady(t *testing.T) {
	ctx := context.Background()
	d := dbtest.OpenUnmigrated(t)
	if n, _ := d.PendingMigrations(ctx); n == 0 {
		t.Fatal("fresh database reports no pending migrations")
	}
	for i := 0; i < 2; i++ {
		if err := d.Migrate(ctx); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
	}
	n, err := d.PendingMigrations(ctx)
	if err != nil || n != 0 {
		t.Fatalf("pending after migrate = %d, %v", n, err)
	}
}

func TestUniqueViolation(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	insert := `INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', $1)`
	now := db.Time(time.Now())
	if _, err := d.ExecContext(ctx, insert, now); err != nil {
		t.Fatal(err)
	}
	_, err := d.ExecContext(ctx, insert, now)
	if !db.IsUniqueViolation(err) {
		t.Fatalf("second insert: %v, want unique violation", err)
	}
}

// Times go in as UTC microseconds and must come back equal and ordered on
// both databases, since queues sort and filter by them.
func TestTimeRoundTrip(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, ts := range []time.Time{base, base.Add(500 * time.Millisecond), base.Add(450 * time.Millisecond), base.Add(time.Second + 123456*time.Microsecond)} {
		if _, err := d.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, '', $2)`, string(rune('a'+i)), db.Time(ts)); err != nil {
			t.Fatal(err)
		}
	}
	var got time.Time
	if err := d.QueryRowContext(ctx, `SELECT updated_at FROM settings WHERE key = 'd'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := base.Add(time.Second + 123456*time.Microsecond); !got.Equal(want) {
		t.Fatalf("read back %v, want %v", got, want)
	}
	rows, err := d.QueryContext(ctx, `SELECT key FROM settings WHERE updated_at > $1 ORDER BY updated_at`, db.Time(base))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var order string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		order += k
	}
	if order != "cbd" {
		t.Fatalf("order after base = %q, want cbd", order)
	}
}
