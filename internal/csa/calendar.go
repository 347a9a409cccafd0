package csa

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/status"
)

// CalendarEntry is something coming that staff should know of: a
// customer's high-traffic event, an engagement meeting, or scheduled
// platform maintenance.
type CalendarEntry struct {
	Kind string `json:"kind"` // "event", "meeting" or "maintenance"
	// ID identifies the entry within its kind: the engagement of an event,
	// the meeting, the maintenance.
	ID           int64        `json:"id"`
	Title        string       `json:"title"`
	StartsAt     time.Time    `json:"starts_at"`
	EndsAt       *time.Time   `json:"ends_at,omitempty"`
	OrgName      string       `json:"organization_name,omitempty"`
	Plan         account.Plan `json:"plan,omitempty"`
	EngagementID int64        `json:"engagement_id,omitempty"`
	OwnerName    string       `json:"owner_name,omitempty"`
	// Detail is a line for the calendar: expected peak, apps, duration.
	Detail string `json:"detail,omitempty"`
	URL    string `json:"url"`
}

// MaxCalendarSpan bounds one calendar query.
const MaxCalendarSpan = 366 * 24 * time.Hour

// FindCalendar lists what starts in [from, to), soonest first, for staff:
// open engagements' events and meetings, and scheduled maintenance.
func (s *Service) FindCalendar(ctx context.Context, actor *helpline.Actor, from, to time.Time) ([]CalendarEntry, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	v := helpline.Validation{}
	v.Check(to.After(from), "to", "must be after from")
	v.Check(to.Sub(from) <= MaxCalendarSpan, "to", "must be at most a year after from")
	if err := v.Err(); err != nil {
		return nil, err
	}
	from, to = from.UTC(), to.UTC()
	out := []CalendarEntry{}
	rows, err := s.db.QueryContext(ctx, `SELECT `+engagementColumns+engagementJoins+`
		WHERE e.event_at >= $1 AND e.event_at < $2 AND e.state <> 'closed' ORDER BY e.event_at`, from, to)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		e, err := scanEngagement(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		s.localize(&e)
		entry := CalendarEntry{Kind: "event", ID: e.ID, Title: e.Title, StartsAt: *e.EventAt, OrgName: e.OrgName, Plan: e.Plan,
			EngagementID: e.ID, OwnerName: e.OwnerName, URL: Path(e.ID)}
		if ev := e.Event; ev != nil {
			entry.Title = ev.Name
			entry.Detail = fmt.Sprintf("%s rps and %s users at peak · %s", Thousands(ev.PeakRPS), Thousands(ev.PeakConcurrentUsers), strings.Join(ev.Apps, ", "))
		}
		out = append(out, entry)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT m.id, m.title, m.starts_at, m.duration_minutes, e.id, e.title, o.name, o.plan, coalesce(w.name, '')
		FROM engagement_meetings m JOIN engagements e ON e.id = m.engagement_id JOIN organizations o ON o.id = e.org_id LEFT JOIN users w ON w.id = e.owner_id
		WHERE m.starts_at >= $1 AND m.starts_at < $2 AND e.state <> 'closed' ORDER BY m.starts_at`, from, to)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c CalendarEntry
		var minutes int
		var engagement string
		if err := rows.Scan(&c.ID, &c.Title, &c.StartsAt, &minutes, &c.EngagementID, &engagement, &c.OrgName, &c.Plan, &c.OwnerName); err != nil {
			rows.Close()
			return nil, err
		}
		c.Kind, c.StartsAt, c.URL = "meeting", c.StartsAt.UTC(), Path(c.EngagementID)
		end := c.StartsAt.Add(time.Duration(minutes) * time.Minute)
		c.EndsAt, c.Detail = &end, engagement
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s.status != nil {
		for _, state := range []string{"upcoming", "active"} {
			ms, _, err := s.status.FindIncidents(ctx, status.IncidentFilter{Kind: status.KindMaintenance, State: state, Page: helpline.Page{Limit: 200}})
			if err != nil {
				return nil, err
			}
			for _, m := range ms {
				if m.ScheduledFor == nil || !m.ScheduledFor.Before(to) || (m.ScheduledUntil != nil && !m.ScheduledUntil.After(from)) {
					continue
				}
				out = append(out, CalendarEntry{Kind: "maintenance", ID: m.ID, Title: m.Name, StartsAt: m.ScheduledFor.UTC(), EndsAt: m.ScheduledUntil, URL: m.URL,
					Detail: "Platform maintenance"})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartsAt.Before(out[j].StartsAt) })
	return out, nil
}
