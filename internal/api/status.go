package api

// statusRoutes are the operator API of the status page, subscriptions and
// notifications.
func (a *API) statusRoutes() []Route {
	return nil
}
