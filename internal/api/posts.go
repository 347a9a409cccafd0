package api

// postRoutes are the changelog and the blog.
func (a *API) postRoutes() []Route {
	return nil
}
