package web

// registerDocs mounts the Dev Center, knowledge base, search, article
// editing, ratings and deflection pages.
func (web *Web) registerDocs(h handle) {
}
