package web

// registerStatus mounts the public status page (HTML) and the operator UI.
func (web *Web) registerStatus(h handle) {
}
