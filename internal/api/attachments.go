package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline/internal/ticket"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err == nil && id <= 0 {
		err = errors.New("not positive")
	}
	return id, err
}

// ServeAttachment sends a ticket's file as a download. Types a browser would
// render as a page (HTML, SVG, XML) go out as plain bytes, so an uploaded
// file can never run script on our origin.
func ServeAttachment(w http.ResponseWriter, r *http.Request, att ticket.Attachment, f io.ReadSeeker) {
	ct := att.ContentType
	if lower := strings.ToLower(ct); strings.Contains(lower, "html") || strings.Contains(lower, "svg") || strings.Contains(lower, "xml") || strings.Contains(lower, "javascript") {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, f)
}
