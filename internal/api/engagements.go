package api

// engagementRoutes are the enterprise portal's endpoints.
func (a *API) engagementRoutes() []Route {
	return nil
}
