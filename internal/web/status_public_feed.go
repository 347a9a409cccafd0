package web

import (
	"fmt"
	"html"
	"strings"

	"github.com/helpline-dev/helpline/internal/feed"
	"github.com/helpline-dev/helpline/internal/status"
)

// historyFeed renders the incident history as Atom or RSS: the 50 newest
// incidents and maintenances, each entry carrying its whole timeline, as
// Statuspage's history feeds do.
func historyFeed(format feed.Format) func(*statusPublic, *status.Snapshot, string) ([]byte, error) {
	return func(sp *statusPublic, snap *status.Snapshot, base string) ([]byte, error) {
		list := append(statusIncidents(status.KindIncident, snap.Active, snap.Recent),
			statusIncidents(status.KindMaintenance, snap.Active, snap.Upcoming, snap.Recent)...)
		list = newestFirst(list)
		home := base + "/history"
		fd := feed.Feed{
			ID: home, Title: "Helpline status: incident history", HomeURL: home, Language: "en",
			Description: "Incidents and scheduled maintenance on the platform, with every update.",
			Author:      feed.Person{Name: "Helpline", URL: base + "/status"},
			Updated:     snap.UpdatedAt,
		}
		host := hostOf(base)
		for _, i := range list {
			link := base + "/incidents/" + spID(i.ID)
			it := feed.Item{
				ID:  fmt.Sprintf("tag:%s,%d:incident/%d", host, i.CreatedAt.UTC().Year(), i.ID),
				URL: link, Title: i.Name, Published: i.CreatedAt, Updated: i.UpdatedAt,
				ContentHTML: absoluteLinks(sp.timelineHTML(i), base, link),
				Categories:  []string{string(i.Kind)},
			}
			if len(i.Updates) > 0 {
				it.Summary = statusWord(string(i.Updates[0].Status)) + ": " + i.Updates[0].Body
			}
			fd.Items = append(fd.Items, it)
		}
		return feed.Render(format, fd, base+"/history."+format.Ext())
	}
}

// timelineHTML is an incident's updates, newest first, each with its time
// and step, as the entry's content.
func (sp *statusPublic) timelineHTML(i status.Incident) string {
	var b strings.Builder
	for _, u := range i.Updates {
		fmt.Fprintf(&b, "<p><small>%s</small><br><strong>%s</strong></p>\n",
			html.EscapeString(u.CreatedAt.UTC().Format("Jan 2, 15:04 UTC")), html.EscapeString(statusWord(string(u.Status))))
		b.WriteString(string(sp.Markdown.Render(u.Body)))
		b.WriteString("\n")
	}
	return b.String()
}

// statusWord is a status for a reader: "in_progress" → "In progress".
func statusWord(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
