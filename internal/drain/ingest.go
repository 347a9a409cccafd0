package drain

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/logdiag"
)

// IngestResult says what one POST from the platform did.
type IngestResult struct {
	Lines     int   `json:"lines"`
	Errors    int   `json:"errors"`
	Duplicate bool  `json:"duplicate"` // a retried frame, not counted again
	SurgeID   int64 `json:"surge_id,omitempty"`
	Opened    bool  `json:"opened"` // this POST opened the surge
}

type countKey struct {
	minute time.Time
	code   string
}

// count reads the body's log lines into per-minute counts: every router
// request, and every error code (router at=error, runtime and logging
// errors). Lines without a time count now; lines older than the retention
// are dropped, lines from the future count now.
func count(body io.Reader, now time.Time) (map[countKey]int, int, int, error) {
	counts := map[countKey]int{}
	lines, errs := 0, 0
	cur := now.Truncate(time.Minute)
	sc := logdiag.NewScanner(body)
	for sc.Scan() {
		l := sc.Line()
		lines++
		minute := cur
		if !l.Time.IsZero() {
			minute = l.Time.UTC().Truncate(time.Minute)
			if minute.Before(cur.Add(-Retention)) {
				continue
			}
			if minute.After(cur) {
				minute = cur
			}
		}
		switch l.Kind {
		case logdiag.KindRouter:
			counts[countKey{minute, requestsCode}]++
			if at, _ := l.Get("at"); l.Code != "" && (at == "" || at == "error") {
				counts[countKey{minute, l.Code}]++
				errs++
			}
		case logdiag.KindRuntimeError, logdiag.KindLoggingError:
			if l.Code != "" {
				counts[countKey{minute, l.Code}]++
				errs++
			}
		}
	}
	return counts, lines, errs, sc.Err()
}

// Ingest counts one logplex POST for the drain with token. A frame id seen
// before for this drain is a retry: it is acknowledged, not counted. Then
// the app's window is checked for a surge; a new one notifies the
// organization in the same transaction and, when the drain says so, opens
// a ticket right after. An unknown token is NotFound; a read error (such
// as the body limit) is returned as is.
func (s *Service) Ingest(ctx context.Context, token, frameID string, body io.Reader) (IngestResult, error) {
	var res IngestResult
	var d Drain
	err := scanDrain(s.db.QueryRowContext(ctx, `SELECT `+drainColumns+` FROM drains d JOIN apps a ON a.id = d.app_id WHERE d.token_hash = $1`,
		hashToken(strings.TrimSpace(token))), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return res, helpline.NotFound("log drain")
	}
	if err != nil {
		return res, err
	}
	now := s.nowUTC()
	counts, lines, errs, err := count(body, now)
	if err != nil {
		return res, err
	}
	res.Lines, res.Errors = lines, errs
	if len(frameID) > 200 {
		frameID = frameID[:200]
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if frameID != "" {
			r, err := tx.ExecContext(ctx, `INSERT INTO drain_frames (drain_id, frame_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, d.ID, frameID, now)
			if err != nil {
				return err
			}
			if n, err := r.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				res.Duplicate = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM drain_frames WHERE drain_id = $1 AND received_at < $2`, d.ID, now.Add(-Retention)); err != nil {
				return err
			}
		}
		// In a fixed order, so two posts for the same app cannot deadlock
		// on PostgreSQL.
		keys := make([]countKey, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b countKey) int {
			if c := a.minute.Compare(b.minute); c != 0 {
				return c
			}
			return strings.Compare(a.code, b.code)
		})
		for _, k := range keys {
			n := counts[k]
			if _, err := tx.ExecContext(ctx, `INSERT INTO drain_counts (app_id, minute, code, count) VALUES ($1, $2, $3, $4)
				ON CONFLICT (app_id, minute, code) DO UPDATE SET count = drain_counts.count + excluded.count`, d.AppID, k.minute, k.code, n); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM drain_counts WHERE app_id = $1 AND minute < $2`, d.AppID, now.Add(-Retention)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drains SET last_received_at = $1 WHERE id = $2`, now, d.ID); err != nil {
			return err
		}
		if errs == 0 {
			// Nothing new can start a surge; a quiet one is closed by Tick.
			return nil
		}
		res.SurgeID, res.Opened, err = s.evaluate(ctx, tx, &d, now)
		return err
	})
	if err != nil {
		return IngestResult{}, err
	}
	if res.Opened && d.OpenTicket {
		err = s.openSurgeTicket(ctx, res.SurgeID)
	}
	return res, err
}
