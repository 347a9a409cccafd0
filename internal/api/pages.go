package api

// pageRoutes are the page endpoints.
func (a *API) pageRoutes() []Route {
	return nil // TODO(paging helper)
}
