// Package markdown renders user-written Markdown (ticket descriptions,
// comments, knowledge-base articles) to HTML that is safe to put in a page.
//
// Rendering is two steps. goldmark turns GitHub-flavoured Markdown into HTML
// without its unsafe mode, and raw HTML in the source is shown as escaped text
// rather than dropped, so a customer who pastes "<Unauthorized>" or an XML
// snippet still sees what they typed. bluemonday then sanitises the result
// with an allow-list, so a goldmark bug or a future extension cannot open an
// XSS hole on its own.
package markdown

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is set on every link. noopener is redundant without target=_blank
// (which we never add) but keeps the page safe if a template adds it later.
const linkRel = "nofollow noopener noreferrer"

// Renderer converts Markdown to sanitised HTML. Build it once with New; it is
// safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// headingIDs gives headings their IDs (NewDocs only): a fresh set per
	// document, so IDs are unique within it.
	headingIDs bool
}

// New returns a Renderer for GitHub-flavoured Markdown (tables,
// strikethrough, autolinks, task lists) with hard wraps off: what customers
// and staff write in tickets.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(linkRelTransformer{}, 500)),
		),
		goldmark.WithRendererOptions(
			// The default for HTML5 is a style attribute, which the policy strips.
			extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
			// Priority 100 beats goldmark's own renderer (1000) for these kinds.
			renderer.WithNodeRenderers(util.Prioritized(rawHTMLAsText{}, 100)),
		),
	)
	return &Renderer{md: md, policy: newPolicy()}
}

// NewDocs returns the Renderer for Dev Center articles and posts: New's
// Markdown plus server-side syntax highlighting of fenced code and headings
// with IDs and an anchor link, so sections can be linked to
// (/docs/error-codes#h12-request-timeout). It is sanitised like New.
func NewDocs() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(linkRelTransformer{}, 500), util.Prioritized(headingAnchorTransformer{}, 600)),
		),
		goldmark.WithRendererOptions(
			extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
			renderer.WithNodeRenderers(util.Prioritized(rawHTMLAsText{}, 100), util.Prioritized(highlighter{}, 100)),
		),
	)
	p := newPolicy()
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^anchor$`)).OnElements("a")
	// chroma's token classes ("k", "nx", "s2", "line", "cl") and its pre.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[a-z0-9]{1,8}$`)).OnElements("span")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^chroma$`)).OnElements("pre")
	return &Renderer{md: md, policy: p, headingIDs: true}
}

// newPolicy is bluemonday's user-generated-content policy (no style
// attributes or elements, no scripts, frames or forms; http, https, mailto
// and relative URLs only; rel="nofollow") plus what our Markdown emits.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	// Exactly the value the transformer sets, so rel cannot carry anything else.
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	// Ordered lists that start at another number ("3. …") keep their numbers.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	// Fenced code languages, for client-side highlighting.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9_+-]+$`)).OnElements("code")
	// GFM task-list items: a disabled checkbox, nothing else an input can be.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("disabled").Matching(regexp.MustCompile(`^(|disabled)$`)).OnElements("input")
	p.AllowAttrs("checked").Matching(regexp.MustCompile(`^(|checked)$`)).OnElements("input")
	return p
}

// Render returns src as sanitised HTML.
//
// Render does not limit the size of src; callers must. goldmark is quadratic
// on some hostile inputs (thousands of unclosed "[a](" or nested ">"): about
// 1-2 s for 64 KB and 16 s for 200 KB on a 2-core machine, so cap Markdown
// fields at 64 KB or less (BenchmarkRenderWorstCase tracks this).
func (r *Renderer) Render(src string) template.HTML {
	var md bytes.Buffer
	md.Grow(len(src) + len(src)/2)
	var opts []parser.ParseOption
	if r.headingIDs {
		opts = append(opts, parser.WithContext(parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]bool{}}))))
	}
	if err := r.md.Convert([]byte(src), &md, opts...); err != nil {
		// Unreachable with a bytes.Buffer, but never lose what the user wrote.
		return template.HTML("<pre>" + template.HTMLEscapeString(src) + "</pre>")
	}
	var out strings.Builder
	out.Grow(md.Len())
	if err := r.policy.SanitizeReaderToWriter(&md, &out); err != nil {
		return template.HTML("<pre>" + template.HTMLEscapeString(src) + "</pre>")
	}
	return template.HTML(out.String())
}

// linkRelTransformer marks every link, including GFM autolinks, with linkRel.
type linkRelTransformer struct{}

func (linkRelTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && (n.Kind() == ast.KindLink || n.Kind() == ast.KindAutoLink) {
			n.SetAttributeString("rel", linkRel)
		}
		return ast.WalkContinue, nil
	})
}

// rawHTMLAsText renders raw HTML as the text the user typed. goldmark's safe
// mode replaces it with a comment, which would silently lose pasted snippets.
type rawHTMLAsText struct{}

func (rawHTMLAsText) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
}

func renderRawHTML(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := n.(*ast.RawHTML).Segments
		for i := range segs.Len() {
			seg := segs.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
		}
	}
	return ast.WalkSkipChildren, nil
}

// renderHTMLBlock shows a block of HTML as preformatted text, since a pasted
// block is almost always markup to look at, and its line breaks matter.
func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.HTMLBlock)
	if entering {
		_, _ = w.WriteString("<pre><code>")
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
		}
		return ast.WalkContinue, nil
	}
	if n.HasClosure() {
		_, _ = w.Write(util.EscapeHTML(n.ClosureLine.Value(source)))
	}
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkContinue, nil
}
