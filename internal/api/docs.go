package api

// docsRoutes are articles, error codes, ratings, search and deflection.
func (a *API) docsRoutes() []Route {
	return nil
}
