package api

import (
	"errors"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/logdiag"
	"github.com/helpline-dev/helpline/internal/redact"
	"github.com/helpline-dev/helpline/internal/request"
)

// MaxDiagnoseBytes bounds the log one diagnosis request may send.
const MaxDiagnoseBytes = 64 << 20

// diagnoseRoutes are log diagnosis; the drains are in drains.go.
func (a *API) diagnoseRoutes() []Route {
	// Built on the first diagnosis: it takes tens of milliseconds and most
	// processes never diagnose.
	redactor := sync.OnceValues(redact.New)
	return []Route{
		{Method: "POST", Path: "/api/v1/diagnose", Public: true, handle: a.diagnose(redactor)},
	}
}

// diagnose reads the raw log from the body, streaming, and answers the
// diagnosis with its excerpt redacted.
func (a *API) diagnose(redactor func() (*redact.Redactor, error)) handler {
	return func(w http.ResponseWriter, r *http.Request, _ *helpline.Actor) error {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			switch {
			case err != nil:
				return helpline.Errorf(helpline.KindInvalid, "Content-Type %q is malformed; send the log as text/plain", ct)
			case mt != "text/plain" && mt != "application/octet-stream" && mt != "application/logplex-1":
				return helpline.Errorf(helpline.KindInvalid, "send the log itself as text/plain or application/octet-stream, not %s", mt)
			}
		}
		v := helpline.Validation{}
		production := false
		switch p := strings.ToLower(r.URL.Query().Get("production")); p {
		case "true", "1", "yes":
			production = true
		case "", "false", "0", "no":
		default:
			v.Add("production", "must be true or false")
		}
		if err := v.Err(); err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxDiagnoseBytes)
		d, err := logdiag.Diagnose(r.Body, logdiag.Options{Reference: a.Docs.ErrorCodeReference(r.Context(), request.Logger(r.Context())), Production: production})
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return errTooLarge{limit: tooBig.Limit}
		case err != nil:
			return helpline.Errorf(helpline.KindInvalid, "the log could not be read to its end: %v", err)
		}
		red, err := redactor()
		if err != nil {
			return err
		}
		d.Excerpt, _ = red.Redact(d.Excerpt)
		writeJSON(w, http.StatusOK, d.WithEmptyLists())
		return nil
	}
}
