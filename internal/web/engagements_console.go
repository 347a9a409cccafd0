package web

// registerEngagementConsole mounts the CSA team's console: the engagement
// queue, collection management and the staff calendar.
func (web *Web) registerEngagementConsole(h handle) {
}
