package web

// registerSubscriptions mounts subscribing, confirming, unsubscribing,
// the notification center and the incident pages for tickets.
func (web *Web) registerSubscriptions(h handle) {
}
