package api

// oncallRoutes are the schedule, escalation policy and contact method endpoints.
func (a *API) oncallRoutes() []Route {
	return nil // TODO(on-call config helper)
}
