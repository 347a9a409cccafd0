package api

// diagnoseRoutes are log diagnosis and log drains.
func (a *API) diagnoseRoutes() []Route {
	return nil
}
