package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

// maxBody bounds an update's Markdown.
const maxBody = 20 * 1024

var (
	incidentStatuses    = []IncidentStatus{Investigating, Identified, Monitoring, Resolved, Postmortem}
	maintenanceStatuses = []IncidentStatus{Scheduled, InProgress, Verifying, Completed}
)

// activeSQL lists the statuses of incidents and maintenance that hold
// their components: the same set as Incident.Active.
const activeSQL = `('investigating', 'identified', 'monitoring', 'in_progress', 'verifying')`

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindIncident || k == KindMaintenance }

// Statuses lists the lifecycle of the kind, in order.
func (k Kind) Statuses() []IncidentStatus {
	if k == KindMaintenance {
		return maintenanceStatuses
	}
	return incidentStatuses
}

func (k Kind) statusList() string {
	parts := []string{}
	for _, st := range k.Statuses() {
		parts = append(parts, string(st))
	}
	return strings.Join(parts, ", ")
}

// done reports whether st ends the lifecycle (the incident is over).
func (st IncidentStatus) done() bool {
	return st == Resolved || st == Postmortem || st == Completed
}

// rank orders impacts, none first.
func (i Impact) rank() int { return slices.Index(Impacts, i) }

// impactOf is the impact Statuspage derives from component statuses:
// degraded performance is minor, a partial outage major, a major outage
// critical.
func impactOf(changes []ComponentChange) Impact {
	impact := ImpactNone
	for _, c := range changes {
		var i Impact
		switch c.Status {
		case DegradedPerformance:
			i = ImpactMinor
		case PartialOutage:
			i = ImpactMajor
		case MajorOutage:
			i = ImpactCritical
		}
		if i.rank() > impact.rank() {
			impact = i
		}
	}
	return impact
}

func checkBody(v helpline.Validation, body string) {
	v.Check(strings.TrimSpace(body) != "", "body", "is required: say what happened and what people can expect")
	v.Check(len(body) <= maxBody, "body", fmt.Sprintf("must be at most %d KB", maxBody/1024))
	v.Check(utf8.ValidString(body), "body", "must be valid UTF-8 text")
}

func checkImpact(v helpline.Validation, kind Kind, impact Impact) {
	if kind == KindMaintenance {
		v.Check(impact == ImpactMaintenance, "impact", "must be maintenance (or empty) for scheduled maintenance")
		return
	}
	v.Check(impact.rank() >= 0, "impact", "must be one of none, minor, major, critical")
}

// checkComponents validates the statuses an incident gives components and
// fills in their names. Maintenance defaults them to under_maintenance.
func (s *Service) checkComponents(ctx context.Context, tx *sql.Tx, v helpline.Validation, kind Kind, changes []ComponentChange) ([]ComponentChange, error) {
	out := []ComponentChange{}
	seen := map[int64]bool{}
	for _, c := range changes {
		if c.Status == "" && kind == KindMaintenance {
			c.Status = UnderMaintenance
		}
		if !c.Status.Valid() {
			v.Add("components", "each component needs a status: one of "+statusList())
			continue
		}
		if seen[c.ComponentID] {
			v.Add("components", "lists a component twice")
			continue
		}
		seen[c.ComponentID] = true
		var isGroup bool
		err := tx.QueryRowContext(ctx, `SELECT name, is_group FROM components WHERE id = $1`, c.ComponentID).Scan(&c.Name, &isGroup)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			v.Add("components", "component "+strconv.FormatInt(c.ComponentID, 10)+" does not exist")
			continue
		case err != nil:
			return nil, err
		case isGroup:
			v.Add("components", c.Name+" is a group: pick the components in it")
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// CreateIncident opens an incident or schedules maintenance (staff). Body
// is the first update. An incident created already resolved is history
// being filled in: subscribers are not told.
func (s *Service) CreateIncident(ctx context.Context, actor *helpline.Actor, in IncidentInput) (Incident, error) {
	if err := actor.RequireStaff(); err != nil {
		return Incident{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Kind == "" {
		in.Kind = KindIncident
	}
	v := helpline.Validation{}
	if !in.Kind.Valid() {
		v.Add("kind", "must be incident or maintenance")
		return Incident{}, v.Err()
	}
	n := utf8.RuneCountInString(in.Name)
	v.Check(n >= 1 && n <= 200, "name", "must be 1 to 200 characters")
	if in.Status == "" {
		in.Status = in.Kind.Statuses()[0]
	}
	v.Check(slices.Contains(in.Kind.Statuses(), in.Status), "status", "must be one of "+in.Kind.statusList()+" for "+kindNoun(in.Kind))
	checkBody(v, in.Body)
	if in.Kind == KindMaintenance {
		if in.Impact == "" {
			in.Impact = ImpactMaintenance
		}
		switch {
		case in.ScheduledFor == nil:
			v.Add("scheduled_for", "is required: when the maintenance starts")
		case in.ScheduledUntil == nil:
			v.Add("scheduled_until", "is required: when the maintenance ends")
		case !in.ScheduledFor.Before(*in.ScheduledUntil):
			v.Add("scheduled_until", "must be after scheduled_for")
		}
	} else {
		in.ScheduledFor, in.ScheduledUntil, in.AutoTransition = nil, nil, false
	}
	var inc Incident
	var events []Event
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		changes, err := s.checkComponents(ctx, tx, v, in.Kind, in.Components)
		if err != nil {
			return err
		}
		if in.Impact == "" {
			in.Impact = impactOf(changes)
		}
		checkImpact(v, in.Kind, in.Impact)
		if err := v.Err(); err != nil {
			return err
		}
		now := s.nowUTC()
		started := now
		if in.Kind == KindMaintenance && in.Status == Scheduled {
			started = db.Time(*in.ScheduledFor)
		}
		var monitoring, resolved *time.Time
		if in.Status == Monitoring {
			monitoring = &now
		}
		if in.Status.done() {
			resolved = &now
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO incidents (kind, name, status, impact, scheduled_for, scheduled_until, auto_transition, started_at, monitoring_at, resolved_at, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
			in.Kind, in.Name, in.Status, in.Impact, dbTime(in.ScheduledFor), dbTime(in.ScheduledUntil), in.AutoTransition, started, monitoring, resolved, nullID(actor.UserID), now).Scan(&id)
		if err != nil {
			return err
		}
		if err := s.holdComponents(ctx, tx, id, changes); err != nil {
			return err
		}
		// Only an active incident moves components: scheduling maintenance
		// or filling in history leaves the page as it is.
		if (Incident{Status: in.Status}).Active() {
			if _, err := s.settle(ctx, tx, id, now); err != nil {
				return err
			}
		}
		updateID, err := s.insertUpdate(ctx, tx, id, in.Status, in.Body, in.Notify, changes, actor.UserID, now)
		if err != nil {
			return err
		}
		switch {
		case in.Status.done():
			// Filled-in history: nobody is told.
		case in.Kind == KindIncident:
			events = append(events, Event{Kind: "incident_created", IncidentID: id, UpdateID: updateID})
		case in.Status == Scheduled:
			events = append(events, Event{Kind: "maintenance_scheduled", IncidentID: id, UpdateID: updateID})
		default:
			events = append(events, Event{Kind: "maintenance_started", IncidentID: id, UpdateID: updateID})
		}
		if err := s.finish(ctx, tx, events, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "status."+string(in.Kind)+"_created", "incident", id, map[string]any{"name": in.Name, "status": in.Status}); err != nil {
			return err
		}
		inc, err = s.findIncident(ctx, tx, id)
		return err
	})
	if err != nil {
		return Incident{}, err
	}
	s.changed()
	return inc, nil
}

func kindNoun(k Kind) string {
	if k == KindMaintenance {
		return "scheduled maintenance"
	}
	return "an incident"
}

func dbTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.Time(*t)
}

// finish queues the events subscribers hear about and counts the change,
// in the change's transaction.
func (s *Service) finish(ctx context.Context, tx *sql.Tx, events []Event, now time.Time) error {
	for _, ev := range events {
		if err := s.queueNotification(ctx, tx, ev); err != nil {
			return err
		}
	}
	return s.bump(ctx, tx, now)
}

// holdComponents records the statuses an incident gives components.
func (s *Service) holdComponents(ctx context.Context, tx *sql.Tx, incidentID int64, changes []ComponentChange) error {
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_components (incident_id, component_id, status) VALUES ($1, $2, $3)
			ON CONFLICT (incident_id, component_id) DO UPDATE SET status = excluded.status`, incidentID, c.ComponentID, c.Status); err != nil {
			return err
		}
	}
	return nil
}

// settle gives each component of an incident the worst status its active
// incidents and maintenance give it, operational when none holds it any
// more, and returns the components whose status moved. So resolving one
// of two overlapping incidents leaves the other's status in place.
func (s *Service) settle(ctx context.Context, tx *sql.Tx, incidentID int64, now time.Time) ([]ComponentChange, error) {
	rows, err := tx.QueryContext(ctx, `SELECT ic.component_id, c.name, h.status
		FROM incident_components ic
		JOIN components c ON c.id = ic.component_id
		LEFT JOIN incident_components h ON h.component_id = ic.component_id
			AND h.incident_id IN (SELECT id FROM incidents WHERE status IN `+activeSQL+`)
		WHERE ic.incident_id = $1
		ORDER BY c.position, c.id`, incidentID)
	if err != nil {
		return nil, err
	}
	var order []ComponentChange
	want := map[int64]ComponentStatus{}
	for rows.Next() {
		var c ComponentChange
		var held sql.NullString
		if err := rows.Scan(&c.ComponentID, &c.Name, &held); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := want[c.ComponentID]; !ok {
			want[c.ComponentID] = Operational
			order = append(order, c)
		}
		if held.Valid {
			want[c.ComponentID] = worse(want[c.ComponentID], ComponentStatus(held.String))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	moved := []ComponentChange{}
	for _, c := range order {
		c.Status = want[c.ComponentID]
		ok, err := s.setComponentStatus(ctx, tx, c.ComponentID, c.Status, now)
		if err != nil {
			return nil, err
		}
		if ok {
			moved = append(moved, c)
		}
	}
	return moved, nil
}

func (s *Service) insertUpdate(ctx context.Context, tx *sql.Tx, incidentID int64, st IncidentStatus, body string, notify bool, changes []ComponentChange, userID int64, now time.Time) (int64, error) {
	if changes == nil {
		changes = []ComponentChange{}
	}
	js, err := json.Marshal(changes)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO incident_updates (incident_id, status, body, notify, components, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, incidentID, st, body, notify, string(js), nullID(userID), now).Scan(&id)
	return id, err
}

// PostUpdate adds an update to an incident's timeline (staff): its status
// and component statuses apply from now on. Resolving an incident or
// completing maintenance returns its components to operational, unless
// another active incident still holds them.
func (s *Service) PostUpdate(ctx context.Context, actor *helpline.Actor, id int64, in UpdateInput) (Incident, error) {
	if err := actor.RequireStaff(); err != nil {
		return Incident{}, err
	}
	var inc Incident
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		inc, err = s.postUpdate(ctx, tx, actor, id, in, "")
		return err
	})
	if err != nil {
		return Incident{}, err
	}
	s.changed()
	return inc, nil
}

// postUpdate posts in on incident id in tx. When onlyFrom is set the
// update applies only if the incident is still in that status (the
// maintenance job), and a NotFound says it moved on.
func (s *Service) postUpdate(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, id int64, in UpdateInput, onlyFrom IncidentStatus) (Incident, error) {
	old, err := s.findIncident(ctx, tx, id)
	if err != nil {
		return Incident{}, err
	}
	if in.Status == "" {
		in.Status = old.Status
	}
	v := helpline.Validation{}
	v.Check(slices.Contains(old.Kind.Statuses(), in.Status), "status", "must be one of "+old.Kind.statusList()+" for "+kindNoun(old.Kind))
	checkBody(v, in.Body)
	if in.Impact == "" {
		in.Impact = old.Impact
	}
	checkImpact(v, old.Kind, in.Impact)
	changes, err := s.checkComponents(ctx, tx, v, old.Kind, in.Components)
	if err != nil {
		return Incident{}, err
	}
	if err := v.Err(); err != nil {
		return Incident{}, err
	}
	now := s.nowUTC()
	monitoring, resolved, started := old.MonitoringAt, old.ResolvedAt, old.StartedAt
	if in.Status == Monitoring && monitoring == nil {
		monitoring = &now
	}
	switch {
	case in.Status.done() && resolved == nil:
		resolved = &now
	case !in.Status.done():
		resolved = nil // reopened
	}
	if old.Status == Scheduled && in.Status != Scheduled {
		started = now
	}
	query := `UPDATE incidents SET status = $1, impact = $2, monitoring_at = $3, resolved_at = $4, started_at = $5, updated_at = $6 WHERE id = $7`
	args := []any{in.Status, in.Impact, monitoring, resolved, started, now, id}
	if onlyFrom != "" {
		query += ` AND status = $8`
		args = append(args, onlyFrom)
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return Incident{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Incident{}, helpline.NotFound("incident")
	}
	if err := s.holdComponents(ctx, tx, id, changes); err != nil {
		return Incident{}, err
	}
	var moved []ComponentChange
	if old.Active() || (Incident{Status: in.Status}).Active() {
		if moved, err = s.settle(ctx, tx, id, now); err != nil {
			return Incident{}, err
		}
	}
	// The update shows the statuses it set; without any, the ones its
	// status change moved (components returning to operational).
	shown := changes
	if len(shown) == 0 {
		shown = moved
	}
	updateID, err := s.insertUpdate(ctx, tx, id, in.Status, in.Body, in.Notify, shown, actorID(actor), now)
	if err != nil {
		return Incident{}, err
	}
	var events []Event
	ev := func(kind string) { events = append(events, Event{Kind: kind, IncidentID: id, UpdateID: updateID}) }
	switch {
	case old.Kind == KindIncident && in.Status.done() && !old.Status.done():
		ev("incident_resolved")
	case old.Kind == KindMaintenance && old.Status == Scheduled && (in.Status == InProgress || in.Status == Verifying):
		ev("maintenance_started")
	case old.Kind == KindMaintenance && in.Status == Completed && old.Status != Completed:
		ev("maintenance_completed")
	case in.Notify:
		ev("incident_updated")
	}
	if err := s.finish(ctx, tx, events, now); err != nil {
		return Incident{}, err
	}
	if err := s.audit(ctx, tx, actor, "status.update_posted", "incident", id, map[string]any{"status": in.Status, "update_id": updateID}); err != nil {
		return Incident{}, err
	}
	return s.findIncident(ctx, tx, id)
}

func actorID(a *helpline.Actor) int64 {
	if a == nil {
		return 0
	}
	return a.UserID
}

// FindIncident returns one incident with its updates (public).
func (s *Service) FindIncident(ctx context.Context, id int64) (Incident, error) {
	return s.findIncident(ctx, s.db, id)
}

func (s *Service) findIncident(ctx context.Context, q db.Querier, id int64) (Incident, error) {
	list, err := s.loadIncidents(ctx, q, `WHERE id = $1`, []any{id}, "", 0, 0)
	if err != nil {
		return Incident{}, err
	}
	if len(list) == 0 {
		return Incident{}, helpline.NotFound("incident")
	}
	return list[0], nil
}

// stateWhere is the condition of an IncidentFilter state.
func stateWhere(state string) (string, error) {
	switch state {
	case "":
		return "", nil
	case "active":
		return `status IN ` + activeSQL, nil
	case "unresolved":
		return `status IN ('investigating', 'identified', 'monitoring')`, nil
	case "upcoming":
		return `status = 'scheduled'`, nil
	case "resolved":
		return `status IN ('resolved', 'postmortem', 'completed')`, nil
	}
	return "", &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown state.", Fields: map[string]string{"state": "must be active, unresolved, upcoming, resolved or empty"}}
}

// FindIncidents lists incidents, newest first (upcoming maintenance:
// soonest first), with their updates, and how many match.
func (s *Service) FindIncidents(ctx context.Context, f IncidentFilter) ([]Incident, int, error) {
	var conds []string
	var args []any
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return nil, 0, &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown kind.", Fields: map[string]string{"kind": "must be incident, maintenance or empty"}}
		}
		args = append(args, f.Kind)
		conds = append(conds, fmt.Sprintf(`kind = $%d`, len(args)))
	}
	cond, err := stateWhere(f.State)
	if err != nil {
		return nil, 0, err
	}
	if cond != "" {
		conds = append(conds, cond)
	}
	where := ""
	if len(conds) > 0 {
		where = `WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM incidents `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := ""
	if f.State == "upcoming" {
		order = `ORDER BY scheduled_for, id`
	}
	p := f.Page.Normalize()
	list, err := s.loadIncidents(ctx, s.db, where, args, order, p.Limit, p.Offset)
	return list, total, err
}

const incidentColumns = `id, kind, name, status, impact, scheduled_for, scheduled_until, auto_transition, started_at, monitoring_at, resolved_at, created_at, updated_at`

// loadIncidents reads the incidents matching where, with their components
// and updates (three queries, whatever the number of incidents).
func (s *Service) loadIncidents(ctx context.Context, q db.Querier, where string, args []any, order string, limit, offset int) ([]Incident, error) {
	if order == "" {
		order = `ORDER BY created_at DESC, id DESC`
	}
	query := `SELECT ` + incidentColumns + ` FROM incidents ` + where + ` ` + order
	if limit > 0 {
		query += fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	list := []Incident{}
	index := map[int64]int{}
	for rows.Next() {
		var i Incident
		var from, until, monitoring, resolved sql.NullTime
		if err := rows.Scan(&i.ID, &i.Kind, &i.Name, &i.Status, &i.Impact, &from, &until, &i.AutoTransition, &i.StartedAt, &monitoring, &resolved, &i.CreatedAt, &i.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		i.ScheduledFor, i.ScheduledUntil = db.NullTime(from), db.NullTime(until)
		i.MonitoringAt, i.ResolvedAt = db.NullTime(monitoring), db.NullTime(resolved)
		i.StartedAt, i.CreatedAt, i.UpdatedAt = i.StartedAt.UTC(), i.CreatedAt.UTC(), i.UpdatedAt.UTC()
		i.URL = "/incidents/" + strconv.FormatInt(i.ID, 10)
		i.Components, i.Updates = []ComponentChange{}, []Update{}
		index[i.ID] = len(list)
		list = append(list, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return list, err
	}
	ids := make([]any, len(list))
	for i, inc := range list {
		ids[i] = inc.ID
	}
	in := placeholders(1, len(ids))
	rows, err = q.QueryContext(ctx, `SELECT ic.incident_id, ic.component_id, c.name, ic.status FROM incident_components ic
		JOIN components c ON c.id = ic.component_id WHERE ic.incident_id IN (`+in+`) ORDER BY c.position, c.id`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var incidentID int64
		var c ComponentChange
		if err := rows.Scan(&incidentID, &c.ComponentID, &c.Name, &c.Status); err != nil {
			rows.Close()
			return nil, err
		}
		inc := &list[index[incidentID]]
		inc.Components = append(inc.Components, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, incident_id, status, body, notify, components, created_at, updated_at FROM incident_updates
		WHERE incident_id IN (`+in+`) ORDER BY created_at DESC, id DESC`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u Update
		var comps string
		if err := rows.Scan(&u.ID, &u.IncidentID, &u.Status, &u.Body, &u.Notify, &comps, &u.CreatedAt, &u.UpdatedAt); err != nil {
			return nil, err
		}
		u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
		if err := json.Unmarshal([]byte(comps), &u.Components); err != nil {
			return nil, err
		}
		inc := &list[index[u.IncidentID]]
		inc.Updates = append(inc.Updates, u)
	}
	return list, rows.Err()
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(parts, ", ")
}
