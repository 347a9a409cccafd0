package api

import (
	_ "embed"
	"net/http"

	"github.com/helpline-dev/helpline"
)

// OpenAPIDocument is the API's OpenAPI 3.1 description, kept in step with
// Routes by a test.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (a *API) openAPI(w http.ResponseWriter, r *http.Request, _ *helpline.Actor) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(OpenAPIDocument)
	return err
}
