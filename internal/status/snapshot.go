package status

import (
	"context"
	"strconv"

	"github.com/helpline-dev/helpline/internal/db"
)

// uptimeDays is the length of the public page's uptime bars.
const uptimeDays = 90

// recentDays and recentCount bound Recent: the incidents resolved in the
// last recentDays, and the recentCount newest for the feeds.
const (
	recentDays  = 15
	recentCount = 50
)

// BuildSnapshot reads everything the public surfaces show.
func (s *Service) BuildSnapshot(ctx context.Context) (*Snapshot, error) {
	// The version is read first: a change committed while the snapshot is
	// being built leaves it labelled with the older version, so a cache
	// comparing versions rebuilds it rather than keep a mixed one.
	version, updatedAt, err := s.version(ctx, s.db)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	snap := &Snapshot{Version: version, BuiltAt: now, UpdatedAt: updatedAt}
	if snap.UpdatedAt.IsZero() {
		snap.UpdatedAt = now
	}
	components, err := s.findComponents(ctx, s.db)
	if err != nil {
		return nil, err
	}
	changes, err := s.uptimes(ctx, s.db, 0, uptimeDays, now)
	if err != nil {
		return nil, err
	}
	snap.Components = make([]ComponentView, len(components))
	for i, c := range components {
		v := ComponentView{Component: c}
		if !c.Group {
			v.Uptime90 = dailyUptime(changes[c.ID], uptimeDays, now)
			v.UptimePct = uptimePct(changes[c.ID], uptimeDays, now)
		}
		snap.Components[i] = v
	}
	if snap.Active, err = s.loadIncidents(ctx, s.db, `WHERE status IN `+activeSQL, nil, "", 0, 0); err != nil {
		return nil, err
	}
	if snap.Upcoming, err = s.loadIncidents(ctx, s.db, `WHERE status = 'scheduled'`, nil, `ORDER BY scheduled_for, id`, 0, 0); err != nil {
		return nil, err
	}
	snap.Recent, err = s.loadIncidents(ctx, s.db, `WHERE resolved_at >= $1
		OR id IN (SELECT id FROM incidents ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(recentCount)+`)`,
		[]any{db.Time(now.Add(-recentDays * day))}, "", 0, 0)
	if err != nil {
		return nil, err
	}
	snap.Indicator, snap.Description = indicator(components, snap.Active)
	return snap, nil
}

// indicator is Statuspage's status.indicator and its description: the
// worst of the active incidents' impacts and of what the components show
// (degraded performance or a partial outage is minor, a major outage
// major). With nothing wrong but maintenance under way, the indicator is
// none and the description says so.
func indicator(components []Component, active []Incident) (string, string) {
	worst := ImpactNone
	raise := func(i Impact) {
		if i.rank() > worst.rank() {
			worst = i
		}
	}
	maintenance := false
	for _, inc := range active {
		if inc.Kind == KindMaintenance {
			maintenance = true
			continue
		}
		raise(inc.Impact)
	}
	for _, c := range components {
		if c.Group {
			continue
		}
		switch c.Status {
		case DegradedPerformance, PartialOutage:
			raise(ImpactMinor)
		case MajorOutage:
			raise(ImpactMajor)
		case UnderMaintenance:
			maintenance = true
		}
	}
	switch worst {
	case ImpactMinor:
		return string(worst), "Minor Service Outage"
	case ImpactMajor:
		return string(worst), "Partial System Outage"
	case ImpactCritical:
		return string(worst), "Major Service Outage"
	}
	if maintenance {
		return string(ImpactNone), "Service Under Maintenance"
	}
	return string(ImpactNone), "All Systems Operational"
}
