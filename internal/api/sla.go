package api

// slaRoutes are the SLA policy, calendar and report endpoints.
func (a *API) slaRoutes() []Route {
	return nil // TODO(sla helper)
}
