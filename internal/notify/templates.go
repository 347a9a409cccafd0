package notify

import (
	"bytes"
	"html/template"
)

// Email HTML is rendered with html/template so names and links are escaped.
var resetHTML = template.Must(template.New("reset").Parse(`<!doctype html>
<html><body style="font-family: system-ui, sans-serif; color: #1f2430; max-width: 560px; margin: 0 auto; padding: 24px">
<p>Hello {{.Name}},</p>
<p>Someone (hopefully you) asked to reset the password of your Helpline account.</p>
<p><a href="{{.Link}}" style="display:inline-block; background:#4f46e5; color:#fff; padding:10px 18px; border-radius:6px; text-decoration:none">Choose a new password</a></p>
<p>The link works once, for {{.Minutes}} minutes. If you did not ask for this, ignore this email: your password stays as it is.</p>
</body></html>`))

// ResetHTML renders the HTML part of a password-reset email.
func ResetHTML(name, link string, minutes int) string {
	var b bytes.Buffer
	if err := resetHTML.Execute(&b, map[string]any{"Name": name, "Link": link, "Minutes": minutes}); err != nil {
		return ""
	}
	return b.String()
}
