package docs

import (
	"context"
	"log/slog"
	"strings"

	"github.com/helpline-dev/helpline"
)

// CodeTitle strips the code from an error-code article's title: "H12 -
// Request timeout" reads "Request timeout" next to the code.
func CodeTitle(code, title string) string {
	rest, ok := strings.CutPrefix(title, code)
	if !ok {
		return title
	}
	return strings.TrimLeft(rest, " -–—:")
}

// Reference answers an error code's title, article URL and likely cause;
// it is a logdiag.Reference (docs does not import logdiag, whose tests use
// the shipped content).
type Reference = func(code string) (title, url, cause string, ok bool)

// ErrorCodeReference looks codes up in the error-code articles as an
// anonymous reader sees them, for a log diagnosis. A diagnosis asks for a
// code once per line, so answers are kept for the reference's life: make
// one per diagnosis.
func (s *Service) ErrorCodeReference(ctx context.Context, logger *slog.Logger) Reference {
	type entry struct {
		title, url, cause string
		ok                bool
	}
	cache := map[string]entry{}
	return func(code string) (string, string, string, bool) {
		e, hit := cache[code]
		if !hit {
			a, err := s.FindArticleByErrorCode(ctx, nil, code)
			switch {
			case err == nil:
				e = entry{CodeTitle(code, a.Title), a.URL, a.Summary, true}
			case helpline.KindOf(err) != helpline.KindNotFound && logger != nil:
				// The diagnosis still stands without the reference.
				logger.Error("error code reference", "code", code, "err", err)
			}
			cache[code] = e
		}
		return e.title, e.url, e.cause, e.ok
	}
}

// ShippedErrorCodeReference is the error-code reference embedded in the
// binary, so a diagnosis works offline; links are made absolute from base
// when it is set.
func ShippedErrorCodeReference(base string) (Reference, error) {
	articles, err := DefaultArticles()
	if err != nil {
		return nil, err
	}
	type entry struct{ title, url, cause string }
	byCode := map[string]entry{}
	base = strings.TrimSuffix(base, "/")
	for _, a := range articles {
		if a.ErrorCode == "" {
			continue
		}
		slug := a.Slug
		if slug == "" {
			slug = Slugify(a.Title)
		}
		byCode[a.ErrorCode] = entry{CodeTitle(a.ErrorCode, a.Title), base + "/docs/error-codes#" + slug, a.Summary}
	}
	return func(code string) (string, string, string, bool) {
		e, ok := byCode[strings.ToUpper(code)]
		return e.title, e.url, e.cause, ok
	}, nil
}
