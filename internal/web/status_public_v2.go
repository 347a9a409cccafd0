package web

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/helpline-dev/helpline/internal/status"
)

// Atlassian Statuspage's public v2 JSON, which status widgets, chat bots
// and monitoring tools already read: the same field names, value sets and
// shapes (string IDs, flat components with group/group_id, null for absent
// times and descriptions).

// statusListSize is how many incidents or maintenances a list carries, as
// on Statuspage.
const statusListSize = 50

// spTime is a Statuspage timestamp: UTC with milliseconds.
type spTime time.Time

func (t spTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

func spTimePtr(t *time.Time) *spTime {
	if t == nil || t.IsZero() {
		return nil
	}
	v := spTime(*t)
	return &v
}

func spID(id int64) string { return strconv.FormatInt(id, 10) }

func spString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type spPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt spTime `json:"updated_at"`
}

type spStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type spComponent struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	Status             string    `json:"status"`
	CreatedAt          spTime    `json:"created_at"`
	UpdatedAt          spTime    `json:"updated_at"`
	Position           int       `json:"position"`
	Description        *string   `json:"description"`
	Showcase           bool      `json:"showcase"`
	StartDate          *string   `json:"start_date"`
	GroupID            *string   `json:"group_id"`
	PageID             string    `json:"page_id"`
	Group              bool      `json:"group"`
	OnlyShowIfDegraded bool      `json:"only_show_if_degraded"`
	Components         *[]string `json:"components,omitempty"` // a group's members
}

type spAffected struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

type spUpdate struct {
	ID                   string       `json:"id"`
	Status               string       `json:"status"`
	Body                 string       `json:"body"`
	IncidentID           string       `json:"incident_id"`
	CreatedAt            spTime       `json:"created_at"`
	UpdatedAt            spTime       `json:"updated_at"`
	DisplayAt            spTime       `json:"display_at"`
	AffectedComponents   []spAffected `json:"affected_components"`
	DeliverNotifications bool         `json:"deliver_notifications"`
	CustomTweet          *string      `json:"custom_tweet"`
	TweetID              *string      `json:"tweet_id"`
}

type spIncident struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	CreatedAt       spTime        `json:"created_at"`
	UpdatedAt       spTime        `json:"updated_at"`
	MonitoringAt    *spTime       `json:"monitoring_at"`
	ResolvedAt      *spTime       `json:"resolved_at"`
	Impact          string        `json:"impact"`
	Shortlink       string        `json:"shortlink"`
	StartedAt       spTime        `json:"started_at"`
	PageID          string        `json:"page_id"`
	IncidentUpdates []spUpdate    `json:"incident_updates"`
	Components      []spComponent `json:"components"`
}

type spMaintenance struct {
	spIncident
	ScheduledFor   *spTime `json:"scheduled_for"`
	ScheduledUntil *spTime `json:"scheduled_until"`
}

// spDoc renders the v2 documents of one snapshot.
type spDoc struct {
	snap       *status.Snapshot
	base       string
	page       spPage
	components []spComponent
	byID       map[int64]int // component ID → index in components
}

func newSPDoc(snap *status.Snapshot, base string) *spDoc {
	sum := sha256.Sum256([]byte(base))
	d := &spDoc{snap: snap, base: base, byID: map[int64]int{}}
	d.page = spPage{
		// Statuspage page IDs are 12 characters; ours is stable per site.
		ID: hex.EncodeToString(sum[:6]), Name: "Helpline", URL: base + "/status",
		TimeZone: "Etc/UTC", UpdatedAt: spTime(snap.UpdatedAt),
	}
	for _, c := range snap.Components {
		sc := spComponent{
			ID: spID(c.ID), Name: c.Name, Status: string(c.Status),
			CreatedAt: spTime(c.CreatedAt), UpdatedAt: spTime(c.UpdatedAt),
			Position: c.Position, Description: spString(c.Description),
			// Components show their uptime bars; groups summarise them.
			Showcase: !c.Group, PageID: d.page.ID, Group: c.Group,
		}
		if !c.Group {
			start := c.CreatedAt.UTC().Format(time.DateOnly)
			sc.StartDate = &start
		}
		if c.GroupID != 0 {
			sc.GroupID = spString(spID(c.GroupID))
		}
		if c.Group {
			sc.Components = &[]string{}
		}
		d.byID[c.ID] = len(d.components)
		d.components = append(d.components, sc)
	}
	for _, c := range d.components {
		if c.GroupID == nil {
			continue
		}
		gid, _ := strconv.ParseInt(*c.GroupID, 10, 64)
		if i, ok := d.byID[gid]; ok && d.components[i].Components != nil {
			*d.components[i].Components = append(*d.components[i].Components, c.ID)
		}
	}
	return d
}

func (d *spDoc) incident(i status.Incident) spIncident {
	out := spIncident{
		ID: spID(i.ID), Name: i.Name, Status: string(i.Status),
		CreatedAt: spTime(i.CreatedAt), UpdatedAt: spTime(i.UpdatedAt),
		MonitoringAt: spTimePtr(i.MonitoringAt), ResolvedAt: spTimePtr(i.ResolvedAt),
		Impact: string(i.Impact), Shortlink: d.base + "/incidents/" + spID(i.ID),
		StartedAt: spTime(cmp.Or(i.StartedAt, i.CreatedAt)), PageID: d.page.ID,
		IncidentUpdates: []spUpdate{}, Components: []spComponent{},
	}
	// Old statuses come from the update before: walk oldest first.
	last := map[int64]status.ComponentStatus{}
	updates := make([]spUpdate, len(i.Updates))
	for k := len(i.Updates) - 1; k >= 0; k-- {
		u := i.Updates[k]
		su := spUpdate{
			ID: spID(u.ID), Status: string(u.Status), Body: u.Body, IncidentID: spID(i.ID),
			CreatedAt: spTime(u.CreatedAt), UpdatedAt: spTime(cmp.Or(u.UpdatedAt, u.CreatedAt)), DisplayAt: spTime(u.CreatedAt),
			AffectedComponents: []spAffected{}, DeliverNotifications: u.Notify,
		}
		for _, ch := range u.Components {
			old := cmp.Or(last[ch.ComponentID], status.Operational)
			last[ch.ComponentID] = ch.Status
			su.AffectedComponents = append(su.AffectedComponents, spAffected{
				Code: spID(ch.ComponentID), Name: d.componentName(ch), OldStatus: string(old), NewStatus: string(ch.Status)})
		}
		updates[k] = su
	}
	out.IncidentUpdates = append(out.IncidentUpdates, updates...)
	for _, ch := range i.Components {
		if k, ok := d.byID[ch.ComponentID]; ok {
			out.Components = append(out.Components, d.components[k])
		}
	}
	return out
}

func (d *spDoc) componentName(ch status.ComponentChange) string {
	if k, ok := d.byID[ch.ComponentID]; ok {
		return d.components[k].Name
	}
	return ch.Name
}

func (d *spDoc) maintenance(i status.Incident) spMaintenance {
	return spMaintenance{spIncident: d.incident(i), ScheduledFor: spTimePtr(i.ScheduledFor), ScheduledUntil: spTimePtr(i.ScheduledUntil)}
}

func (d *spDoc) status() spStatus {
	return spStatus{Indicator: d.snap.Indicator, Description: d.snap.Description}
}

// statusIncidents lists the incidents of kind in lists, in order, each
// once (an incident can be both active and recent).
func statusIncidents(kind status.Kind, lists ...[]status.Incident) []status.Incident {
	seen := map[int64]bool{}
	var out []status.Incident
	for _, list := range lists {
		for _, i := range list {
			if i.Kind == kind && !seen[i.ID] {
				seen[i.ID] = true
				out = append(out, i)
			}
		}
	}
	return out
}

func newestFirst(list []status.Incident) []status.Incident {
	slices.SortStableFunc(list, func(a, b status.Incident) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	if len(list) > statusListSize {
		list = list[:statusListSize]
	}
	return list
}

func (d *spDoc) incidents(list []status.Incident) []spIncident {
	out := make([]spIncident, 0, len(list))
	for _, i := range list {
		out = append(out, d.incident(i))
	}
	return out
}

func (d *spDoc) maintenances(list []status.Incident) []spMaintenance {
	out := make([]spMaintenance, 0, len(list))
	for _, i := range list {
		out = append(out, d.maintenance(i))
	}
	return out
}

func (d *spDoc) unresolved() []status.Incident {
	return newestFirst(statusIncidents(status.KindIncident, d.snap.Active))
}

func (d *spDoc) activeMaintenance() []status.Incident {
	return statusIncidents(status.KindMaintenance, d.snap.Active)
}

func (d *spDoc) upcoming() []status.Incident {
	return statusIncidents(status.KindMaintenance, d.snap.Upcoming)
}

func marshalStatus(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func v2Summary(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	d := newSPDoc(snap, base)
	return marshalStatus(struct {
		Page                  spPage          `json:"page"`
		Components            []spComponent   `json:"components"`
		Incidents             []spIncident    `json:"incidents"`
		ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
		Status                spStatus        `json:"status"`
	}{d.page, orEmpty(d.components), d.incidents(d.unresolved()),
		d.maintenances(append(d.activeMaintenance(), d.upcoming()...)), d.status()})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func v2Status(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	d := newSPDoc(snap, base)
	return marshalStatus(struct {
		Page   spPage   `json:"page"`
		Status spStatus `json:"status"`
	}{d.page, d.status()})
}

func v2Components(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	d := newSPDoc(snap, base)
	return marshalStatus(struct {
		Page       spPage        `json:"page"`
		Components []spComponent `json:"components"`
	}{d.page, orEmpty(d.components)})
}

func v2IncidentList(snap *status.Snapshot, base string, list func(*spDoc) []status.Incident) ([]byte, error) {
	d := newSPDoc(snap, base)
	return marshalStatus(struct {
		Page      spPage       `json:"page"`
		Incidents []spIncident `json:"incidents"`
	}{d.page, d.incidents(list(d))})
}

func v2MaintenanceList(snap *status.Snapshot, base string, list func(*spDoc) []status.Incident) ([]byte, error) {
	d := newSPDoc(snap, base)
	return marshalStatus(struct {
		Page                  spPage          `json:"page"`
		ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
	}{d.page, d.maintenances(list(d))})
}

// v2Incidents is the 50 newest incidents, unresolved or not.
func v2Incidents(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	return v2IncidentList(snap, base, func(d *spDoc) []status.Incident {
		return newestFirst(statusIncidents(status.KindIncident, snap.Active, snap.Recent))
	})
}

func v2Unresolved(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	return v2IncidentList(snap, base, (*spDoc).unresolved)
}

// v2Maintenances is the 50 newest maintenances, whatever their state.
func v2Maintenances(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	return v2MaintenanceList(snap, base, func(d *spDoc) []status.Incident {
		return newestFirst(statusIncidents(status.KindMaintenance, snap.Active, snap.Upcoming, snap.Recent))
	})
}

func v2Upcoming(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	return v2MaintenanceList(snap, base, (*spDoc).upcoming)
}

func v2ActiveMaintenances(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	return v2MaintenanceList(snap, base, (*spDoc).activeMaintenance)
}
