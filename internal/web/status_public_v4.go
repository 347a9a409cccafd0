package web

import (
	"cmp"
	"strings"
	"time"

	"github.com/helpline-dev/helpline/internal/status"
)

// The platform's own status API, GET /api/v4/current-status, which its
// command-line tool reads (`heroku status` with HEROKU_STATUS_HOST). The
// CLI prints each system's colour (green is "No known issues at this
// time."), then per incident its title, created_at and full_url, and per
// update its update_type, updated_at (parsed as a date) and contents.

// v4Systems are the top-level groups the CLI reports, in its order.
var v4Systems = []string{"Apps", "Data", "Tools"}

type v4System struct {
	System string `json:"system"`
	Status string `json:"status"`
}

type v4Update struct {
	ID         int64  `json:"id"`
	IncidentID int64  `json:"incident_id"`
	UpdateType string `json:"update_type"`
	Contents   string `json:"contents"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

type v4Incident struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Resolved  bool       `json:"resolved"`
	CreatedAt string     `json:"created_at"`
	UpdatedAt string     `json:"updated_at"`
	FullURL   string     `json:"full_url"`
	Updates   []v4Update `json:"updates"` // newest first
}

func v4Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// v4Color is a system's colour from its components: red if any has a
// major outage, yellow if any is degraded or partly out, else green
// (maintenance is planned, not an issue).
func v4Color(statuses []status.ComponentStatus) string {
	color := "green"
	for _, s := range statuses {
		switch s {
		case status.MajorOutage:
			return "red"
		case status.DegradedPerformance, status.PartialOutage:
			color = "yellow"
		}
	}
	return color
}

// v4UpdateType names an update's step the way the platform's status site
// always has: issue, update, resolved, scheduled.
func v4UpdateType(st status.IncidentStatus) string {
	switch st {
	case status.Investigating:
		return "issue"
	case status.Resolved, status.Completed:
		return "resolved"
	case status.Scheduled:
		return "scheduled"
	}
	return "update"
}

func v4SystemStatus(snap *status.Snapshot) []v4System {
	out := make([]v4System, 0, len(v4Systems))
	for _, name := range v4Systems {
		var statuses []status.ComponentStatus
		var group *status.ComponentView
		for k, c := range snap.Components {
			if c.GroupID == 0 && strings.EqualFold(c.Name, name) {
				group = &snap.Components[k]
				break
			}
		}
		if group != nil {
			for _, c := range snap.Components {
				if c.GroupID == group.ID {
					statuses = append(statuses, c.Status)
				}
			}
			if len(statuses) == 0 {
				statuses = append(statuses, group.Status)
			}
		}
		out = append(out, v4System{System: name, Status: v4Color(statuses)})
	}
	return out
}

func v4Incidents(base string, list []status.Incident) []v4Incident {
	out := make([]v4Incident, 0, len(list))
	for _, i := range list {
		vi := v4Incident{
			ID: i.ID, Title: i.Name, Resolved: !i.Active() && i.Status != status.Scheduled,
			CreatedAt: v4Time(i.CreatedAt), UpdatedAt: v4Time(i.UpdatedAt),
			FullURL: base + "/incidents/" + spID(i.ID), Updates: []v4Update{},
		}
		for _, u := range i.Updates {
			vi.Updates = append(vi.Updates, v4Update{
				ID: u.ID, IncidentID: i.ID, UpdateType: v4UpdateType(u.Status), Contents: u.Body,
				CreatedAt: v4Time(u.CreatedAt), UpdatedAt: v4Time(cmp.Or(u.UpdatedAt, u.CreatedAt)),
			})
		}
		out = append(out, vi)
	}
	return out
}

func v4CurrentStatus(_ *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
	incidents := newestFirst(statusIncidents(status.KindIncident, snap.Active))
	scheduled := statusIncidents(status.KindMaintenance, snap.Active, snap.Upcoming)
	return marshalStatus(struct {
		Status    []v4System   `json:"status"`
		Incidents []v4Incident `json:"incidents"`
		Scheduled []v4Incident `json:"scheduled"`
	}{v4SystemStatus(snap), v4Incidents(base, incidents), v4Incidents(base, scheduled)})
}
