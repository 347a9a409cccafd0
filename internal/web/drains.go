package web

import "net/http"

// registerDrains mounts the log drain endpoint straight on the mux (the
// platform posts there, with no session) and the drain settings pages.
func (web *Web) registerDrains(mux *http.ServeMux, h handle) {
}
