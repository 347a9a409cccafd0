package web

import "net/http"

// registerStatusJSON mounts the public JSON (Statuspage v2, the platform
// CLI's v4) and the incident feeds straight on the mux: no session lookup
// on the hottest URLs of an outage.
func (web *Web) registerStatusJSON(mux *http.ServeMux) {
}
