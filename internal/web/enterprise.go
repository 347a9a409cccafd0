package web

// registerEnterprise mounts the enterprise portal: curated resources, the
// organization's engagements, the request forms and an engagement's page.
func (web *Web) registerEnterprise(h handle) {
}
