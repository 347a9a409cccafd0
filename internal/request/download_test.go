package request_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/internal/request"
)

// A file a browser could run as a page is never served as one.
func TestServeDownload(t *testing.T) {
	for ct, want := range map[string]string{
		"text/html; charset=utf-8": "application/octet-stream", "image/svg+xml": "application/octet-stream",
		"application/xhtml+xml": "application/octet-stream", "text/xml; charset=utf-8": "application/octet-stream",
		"text/javascript": "application/octet-stream", "not a type": "application/octet-stream",
		"text/plain; charset=utf-8": "text/plain; charset=utf-8", "image/png": "image/png", "application/pdf": "application/pdf",
	} {
		w := httptest.NewRecorder()
		request.ServeDownload(w, httptest.NewRequest("GET", "/f", nil), `evil "name".html`, ct, strings.NewReader("<script>alert(1)</script>"))
		h := w.Result().Header
		if h.Get("Content-Type") != want || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
			t.Errorf("%s: served as %q, %q", ct, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
	}
}
