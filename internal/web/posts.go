package web

// registerPosts mounts the changelog, the blog and their feeds.
func (web *Web) registerPosts(h handle) {
}
