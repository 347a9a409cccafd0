package request

import (
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// ServeDownload sends a user's file as a download, for both the pages and
// the API. Types a browser could render as a document that runs script on
// our origin (HTML, SVG, XML, JavaScript) go out as plain bytes.
func ServeDownload(w http.ResponseWriter, r *http.Request, filename, contentType string, f io.ReadSeeker) {
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || activeContent(mt) {
		contentType = "application/octet-stream"
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	if disposition == "" {
		disposition = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", time.Time{}, f)
}

func activeContent(mt string) bool {
	mt = strings.ToLower(mt)
	for _, s := range []string{"html", "svg", "xml", "javascript", "ecmascript"} {
		if strings.Contains(mt, s) {
			return true
		}
	}
	return false
}
