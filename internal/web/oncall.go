package web

// registerOncall mounts the schedule, escalation policy and contact method pages.
func (web *Web) registerOncall(h handle) {
	// TODO(on-call config helper)
}
