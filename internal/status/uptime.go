package status

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// Uptime is computed from the recorded status changes, per UTC day, the
// way Statuspage does it:
//
//   - a minute in major_outage is a minute down; a minute in
//     partial_outage counts as 30% down (0.3 of a minute);
//   - degraded_performance and under_maintenance count as up, but show in
//     the day's Worst status and Minutes;
//   - only the part of a day the component existed counts: today counts up
//     to now, the day it was created from its creation. Days before it
//     existed have no data: they are returned (so every component has the
//     same bars) with Uptime -1 and an empty Worst.
const partialOutageWeight = 0.3

const day = 24 * time.Hour

// statusChange is one row of a component's status history.
type statusChange struct {
	componentID int64
	status      ComponentStatus
	at          time.Time
}

// Uptime returns a component's last days of uptime, oldest first, the
// last being today (UTC).
func (s *Service) Uptime(ctx context.Context, componentID int64, days int) ([]DayUptime, error) {
	if days < 1 || days > 366 {
		return nil, &helpline.Error{Kind: helpline.KindInvalid, Message: "Ask for 1 to 366 days.", Fields: map[string]string{"days": "must be 1 to 366"}}
	}
	if _, err := s.findComponent(ctx, s.db, componentID); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	all, err := s.uptimes(ctx, s.db, componentID, days, now)
	if err != nil {
		return nil, err
	}
	return dailyUptime(all[componentID], days, now), nil
}

// firstDay is midnight UTC of the first of the last days.
func firstDay(days int, now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
}

// uptimes reads, in one query, the status changes of the range of every
// component (or of one, componentID > 0) plus each one's last change
// before the range: the status it entered the range with.
func (s *Service) uptimes(ctx context.Context, q db.Querier, componentID int64, days int, now time.Time) (map[int64][]statusChange, error) {
	start := firstDay(days, now)
	args := []any{db.Time(start)}
	only, onlyC := "", ""
	if componentID > 0 {
		args = append(args, componentID)
		only, onlyC = ` AND component_id = $2`, ` AND c.component_id = $2`
	}
	query := `SELECT id, component_id, status, at FROM component_status_changes WHERE at >= $1` + only + `
		UNION ALL
		SELECT c.id, c.component_id, c.status, c.at FROM component_status_changes c
		WHERE c.at < $1` + onlyC + ` AND NOT EXISTS (SELECT 1 FROM component_status_changes d
			WHERE d.component_id = c.component_id AND d.at < $1 AND (d.at > c.at OR (d.at = c.at AND d.id > c.id)))
		ORDER BY 2, 4, 1`
	rows, err := q.QueryContext(ctx, strings.TrimSpace(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]statusChange{}
	for rows.Next() {
		var id int64
		var c statusChange
		if err := rows.Scan(&id, &c.componentID, &c.status, &c.at); err != nil {
			return nil, err
		}
		c.at = c.at.UTC()
		out[c.componentID] = append(out[c.componentID], c)
	}
	return out, rows.Err()
}

// dailyUptime turns one component's changes (oldest first, the first
// possibly before the range) into days bars ending today.
func dailyUptime(changes []statusChange, days int, now time.Time) []DayUptime {
	start := firstDay(days, now)
	spent := make([][]time.Duration, days) // per day, per status rank
	for i := range spent {
		spent[i] = make([]time.Duration, len(ComponentStatuses))
	}
	for k, c := range changes {
		from, until := c.at, now
		if k+1 < len(changes) {
			until = changes[k+1].at
		}
		r := c.status.rank()
		if r < 0 {
			continue
		}
		if from.Before(start) {
			from = start
		}
		if until.After(now) {
			until = now
		}
		for from.Before(until) {
			i := int(from.Sub(start) / day)
			end := start.Add(time.Duration(i+1) * day)
			if end.After(until) {
				end = until
			}
			spent[i][r] += end.Sub(from)
			from = end
		}
	}
	out := make([]DayUptime, days)
	for i := range out {
		out[i] = dayUptime(start.AddDate(0, 0, i), spent[i])
	}
	return out
}

func dayUptime(date time.Time, spent []time.Duration) DayUptime {
	d := DayUptime{Date: date, Uptime: -1}
	var total time.Duration
	for r, dur := range spent {
		if dur <= 0 {
			continue
		}
		total += dur
		st := ComponentStatuses[r]
		d.Worst = worse(d.Worst, st)
		if st != Operational {
			if d.Minutes == nil {
				d.Minutes = map[ComponentStatus]int{}
			}
			// Rounded up, so a short blip still shows a minute.
			d.Minutes[st] = int(math.Ceil(dur.Minutes()))
		}
	}
	if total > 0 {
		d.Uptime = 1 - downtime(spent).Seconds()/total.Seconds()
	}
	return d
}

// downtime weighs the time spent per status by the uptime rule.
func downtime(spent []time.Duration) time.Duration {
	return spent[MajorOutage.rank()] + time.Duration(partialOutageWeight*float64(spent[PartialOutage.rank()]))
}

// uptimePct is the uptime over all the days with data, weighted by the
// time counted each day; 1 when there is none.
func uptimePct(changes []statusChange, days int, now time.Time) float64 {
	start := firstDay(days, now)
	var total, down time.Duration
	for k, c := range changes {
		from, until := c.at, now
		if k+1 < len(changes) {
			until = changes[k+1].at
		}
		if from.Before(start) {
			from = start
		}
		if !from.Before(until) {
			continue
		}
		dur := until.Sub(from)
		total += dur
		switch c.status {
		case MajorOutage:
			down += dur
		case PartialOutage:
			down += time.Duration(partialOutageWeight * float64(dur))
		}
	}
	if total <= 0 {
		return 1
	}
	return 1 - down.Seconds()/total.Seconds()
}
