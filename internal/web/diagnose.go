package web

// registerDiagnose mounts /diagnose: paste or upload logs, read the
// diagnosis, open a ticket from it.
func (web *Web) registerDiagnose(h handle) {
}
