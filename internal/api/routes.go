package api

// Routes lists every endpoint of the API. The OpenAPI document must describe
// exactly these; a test checks it.
func (a *API) Routes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Public: true, handle: a.openAPI},
		{Method: "GET", Path: "/api/v1/me", handle: a.me},
		{Method: "GET", Path: "/api/v1/me/notifications", handle: a.getNotifications},
		{Method: "PUT", Path: "/api/v1/me/notifications", handle: a.setNotifications},
		{Method: "GET", Path: "/api/v1/tokens", handle: a.listTokens},
		{Method: "POST", Path: "/api/v1/tokens", handle: a.createToken},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", handle: a.revokeToken},
		{Method: "GET", Path: "/api/v1/organizations", handle: a.listOrganizations},
		{Method: "POST", Path: "/api/v1/organizations", handle: a.createOrganization},
		{Method: "GET", Path: "/api/v1/organizations/{id}", handle: a.getOrganization},
		{Method: "GET", Path: "/api/v1/organizations/{id}/members", handle: a.listMembers},
		{Method: "PUT", Path: "/api/v1/organizations/{id}/members/{user_id}", handle: a.setMember},
		{Method: "GET", Path: "/api/v1/organizations/{id}/apps", handle: a.listApps},
		{Method: "POST", Path: "/api/v1/organizations/{id}/apps", handle: a.createApp},
		{Method: "GET", Path: "/api/v1/users", handle: a.listUsers},
		{Method: "POST", Path: "/api/v1/users", handle: a.createUser},
		{Method: "GET", Path: "/api/v1/users/{id}", handle: a.getUser},
		{Method: "PATCH", Path: "/api/v1/users/{id}", handle: a.updateUser},
		{Method: "GET", Path: "/api/v1/audit-events", handle: a.listAuditEvents},
		{Method: "POST", Path: "/api/v1/tickets", handle: a.createTicket},
		{Method: "GET", Path: "/api/v1/tickets", handle: a.listTickets},
		{Method: "GET", Path: "/api/v1/tickets/{id}", handle: a.getTicket},
		{Method: "PATCH", Path: "/api/v1/tickets/{id}", handle: ticketCommand(a, a.updateTicket)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/comments", handle: a.addComment},
		{Method: "POST", Path: "/api/v1/tickets/{id}/priority", handle: ticketCommand(a, a.changePriority)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/appeal", handle: ticketCommand(a, a.appeal)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/appeal/decision", handle: ticketCommand(a, a.decideAppeal)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/share", handle: a.share},
		{Method: "DELETE", Path: "/api/v1/tickets/{id}/share", handle: a.unshare},
		{Method: "POST", Path: "/api/v1/share/{token}", handle: a.join},
		{Method: "GET", Path: "/api/v1/tickets/{id}/events", handle: a.listEvents},
		{Method: "GET", Path: "/api/v1/tickets/{id}/participants", handle: a.listParticipants},
		{Method: "DELETE", Path: "/api/v1/tickets/{id}/participants/{user_id}", handle: a.removeParticipant},
		{Method: "DELETE", Path: "/api/v1/tickets/{id}/access", handle: a.revokeAccess},
		{Method: "PUT", Path: "/api/v1/tickets/{id}/watch", handle: a.watch(true)},
		{Method: "DELETE", Path: "/api/v1/tickets/{id}/watch", handle: a.watch(false)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/attachments", handle: a.uploadAttachment},
		{Method: "GET", Path: "/api/v1/attachments/{id}", handle: a.downloadAttachment},
		{Method: "GET", Path: "/api/v1/queue", handle: a.queue},
		{Method: "GET", Path: "/api/v1/mail/outbox", handle: a.listOutbox},
		{Method: "GET", Path: "/api/v1/mail/inbox", handle: a.listInbox},
		{Method: "POST", Path: "/api/v1/mail/inbox/{id}/discard", handle: a.discardInbox},
		{Method: "POST", Path: "/api/v1/mail/inbox/{id}/reprocess", handle: a.reprocessInbox},
		{Method: "GET", Path: "/api/v1/mail/inbox/{id}/original", handle: a.inboxOriginal},
	}
	// SLA policies and reports, on-call configuration, and pages: each in
	// its own file.
	routes = append(routes, a.slaRoutes()...)
	routes = append(routes, a.oncallRoutes()...)
	routes = append(routes, a.pageRoutes()...)
	// Articles, posts, search and deflection.
	routes = append(routes, a.docsRoutes()...)
	routes = append(routes, a.postRoutes()...)
	// The status page's operator API, subscriptions and notifications.
	routes = append(routes, a.statusRoutes()...)
	// Log diagnosis and log drains.
	routes = append(routes, a.diagnoseRoutes()...)
	routes = append(routes, a.drainRoutes()...)
	// The enterprise portal: engagements, curated collections, the calendar.
	return append(routes, a.engagementRoutes()...)
}
