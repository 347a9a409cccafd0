package web

import (
	"html/template"
	"sync"
)

// registerStatus mounts the public status page (HTML) and the operator UI.
//
// The public pages are cheap on purpose: they read the in-memory snapshot,
// answer If-None-Match with 304, and the anonymous /status page is rendered
// once per snapshot version and then served as bytes.
func (web *Web) registerStatus(h handle) {
	sp := &statusPages{Web: web}
	h("GET /status", public, sp.statusPage)
	h("GET /incidents/{id}", public, sp.incidentPage)
	h("GET /history", public, sp.historyPage)

	h("GET /admin/status", staff, web.adminStatus)
	h("POST /admin/status/components/{id}/status", admin, web.adminStatusQuickChange)
	h("GET /admin/status/components", admin, web.adminStatusComponents)
	h("POST /admin/status/components", admin, web.adminStatusCreateComponent)
	h("GET /admin/status/components/{id}", admin, web.adminStatusComponent)
	h("POST /admin/status/components/{id}", admin, web.adminStatusSaveComponent)
	h("POST /admin/status/components/{id}/delete", admin, web.adminStatusDeleteComponent)

	h("GET /admin/status/incidents/new", staff, web.adminStatusNewIncident)
	h("POST /admin/status/incidents", staff, web.adminStatusCreateIncident)
	h("GET /admin/status/maintenance/new", staff, web.adminStatusNewMaintenance)
	h("POST /admin/status/maintenance", staff, web.adminStatusCreateMaintenance)
	h("GET /admin/status/incidents/{id}", staff, web.adminStatusIncident)
	h("POST /admin/status/incidents/{id}/updates", staff, web.adminStatusPostUpdate)
	h("POST /admin/status/incidents/{id}/reply", staff, web.adminStatusReplyLinked)

	h("GET /admin/status/templates", admin, web.adminStatusTemplates)
	h("POST /admin/status/templates", admin, web.adminStatusSaveTemplate)
	h("GET /admin/status/templates/{id}", admin, web.adminStatusTemplates)
	h("POST /admin/status/templates/{id}", admin, web.adminStatusSaveTemplate)
	h("POST /admin/status/templates/{id}/delete", admin, web.adminStatusDeleteTemplate)
}

// statusPages serves the public status pages, keeping /status rendered
// for the current snapshot: during an outage nearly every request is that
// page, and it only changes with the snapshot. The anonymous page is kept
// whole; signed-in visitors get the same body in their own layout.
type statusPages struct {
	*Web
	mu      sync.Mutex
	version int64
	key     string        // statusKey of body and page
	body    template.HTML // the page's main content
	page    []byte        // the whole anonymous page; nil until asked for
}
