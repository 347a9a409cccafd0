package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/docs"
)

const docsUsage = `Usage: helpline docs <command> [flags]

  export DIR [--all]          write the articles you may read as DIR/<section>/<slug>.md
                              (--all: drafts too, for staff)
  import DIR [--dry-run]      create or update an article from every *.md under DIR (README.md
                              excepted); --dry-run checks the files and says what would change
  show SLUG|CODE [--json]     print an article, or an error code's entry (H12, R14)

The files have TOML front matter between +++ lines; see the Dev Center's
"Writing docs in git" or internal/docs/content/README.md. Import needs a staff token.
`

const kbUsage = `Usage: helpline kb <command> [flags]

  search QUERY... [--scope S] [--limit N] [--json]   search the help center
      --scope: help (default), docs, kb, changelog; staff also tickets and all

Works without HELPLINE_TOKEN (public content only); with a token you see
what your account may read.
`

// docsCmd imports, exports and shows articles as Markdown files.
func docsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, docsUsage)
		return errUsage
	}
	var run func(context.Context, *client.Client, []string, io.Writer, io.Writer) error
	needToken := false
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, docsUsage)
		return nil
	case "export":
		run = docsExport
	case "import":
		run, needToken = docsImport, true
	case "show":
		run = docsShow
	default:
		fmt.Fprintf(stderr, "helpline docs: unknown command %q\n\n%s", args[0], docsUsage)
		return errUsage
	}
	return runDocs(ctx, getenv, needToken, func(c *client.Client) error { return run(ctx, c, args[1:], stdout, stderr) })
}

// kbCmd searches the help center.
func kbCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, kbUsage)
		return errUsage
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, kbUsage)
		return nil
	case "search":
	default:
		fmt.Fprintf(stderr, "helpline kb: unknown command %q\n\n%s", args[0], kbUsage)
		return errUsage
	}
	return runDocs(ctx, getenv, false, func(c *client.Client) error {
		return kbSearch(ctx, c, args[1:], terminalStyle(stdout, getenv), stdout, stderr)
	})
}

// runDocs runs a docs or kb command with a client of HELPLINE_URL. Reading
// public content needs no token; writing does.
func runDocs(ctx context.Context, getenv func(string) string, needToken bool, run func(*client.Client) error) error {
	var c *client.Client
	if needToken {
		var err error
		if c, err = apiClient(getenv); err != nil {
			return err
		}
	} else {
		base := getenv("HELPLINE_URL")
		if base == "" {
			base = "http://localhost:8080"
		}
		c = client.New(base, getenv("HELPLINE_TOKEN"))
	}
	err := run(c)
	if isNetError(err) {
		return fmt.Errorf("%w (is a Helpline server running at HELPLINE_URL=%s?)", err, c.BaseURL)
	}
	return describeDocs(err)
}

// describeDocs turns an API error into what to fix. Unlike describe, it
// names fields as the API and the front matter do, not as flags.
func describeDocs(err error) error {
	var e *client.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error()
	}
	fields := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		msg += fmt.Sprintf("\n  %s: %s", f, e.Fields[f])
	}
	return errors.New(msg)
}

func docsUsagef(stderr io.Writer, cmd, format string, args ...any) error {
	fmt.Fprintf(stderr, "helpline %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return errUsage
}

// style is how the terminal shows a search's matched words.
type style struct{ on, off string }

// terminalStyle emphasises in bold on a terminal; files and pipes get
// plain text (and NO_COLOR and TERM=dumb are respected).
func terminalStyle(w io.Writer, getenv func(string) string) style {
	f, ok := w.(*os.File)
	if !ok || getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return style{}
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return style{}
	}
	return style{on: "\x1b[1m", off: "\x1b[0m"}
}

var (
	tagRE  = regexp.MustCompile(`<[^>]*>`)
	markRE = regexp.MustCompile(`</?mark>`)
)

// snippetText turns a result's HTML snippet into terminal text: <mark>
// becomes the style's emphasis, other tags go, entities are decoded, and
// control characters (escape sequences in pasted content) are dropped.
func snippetText(snippet string, st style) string {
	var b strings.Builder
	last, open := 0, false
	for _, m := range markRE.FindAllStringIndex(snippet, -1) {
		b.WriteString(foldSpace(html.UnescapeString(tagRE.ReplaceAllString(snippet[last:m[0]], ""))))
		closing := snippet[m[0]+1] == '/'
		if closing == open {
			if closing {
				b.WriteString(st.off)
			} else {
				b.WriteString(st.on)
			}
			open = !open
		}
		last = m[1]
	}
	b.WriteString(foldSpace(html.UnescapeString(tagRE.ReplaceAllString(snippet[last:], ""))))
	if open {
		b.WriteString(st.off)
	}
	return strings.TrimSpace(b.String())
}

// plainLine drops control characters and folds whitespace into single
// spaces, so that content cannot move the cursor or break the layout.
func plainLine(s string) string { return strings.TrimSpace(foldSpace(s)) }

func foldSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func kbSearch(ctx context.Context, c *client.Client, args []string, st style, stdout, stderr io.Writer) error {
	fs := newFlags("kb search", stderr)
	scope := fs.String("scope", "", "help (default), docs, kb, changelog; staff: tickets, all")
	limit := fs.Int("limit", 10, "how many results, 1 to 50")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if text == "" {
		return docsUsagef(stderr, "kb search", "give the words to search for, e.g. helpline kb search H12 timeout")
	}
	if *limit < 1 || *limit > 50 {
		return docsUsagef(stderr, "kb search", "--limit must be from 1 to 50, not %d", *limit)
	}
	q := client.SearchQuery{Text: text, Scope: *scope, Limit: *limit}
	if *asJSON {
		return printRaw(ctx, c, client.SearchPath(q), stdout)
	}
	res, err := c.Search(ctx, q)
	if err != nil {
		return err
	}
	if res.Corrected != "" {
		fmt.Fprintf(stdout, "Showing results for %q (you typed %q)\n\n", plainLine(res.Corrected), text)
	}
	if len(res.Results) == 0 {
		fmt.Fprintf(stdout, "No results for %q. Try fewer or other words, or an error code such as H12.\n", text)
		return nil
	}
	for i, r := range res.Results {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		kind := r.Kind
		if r.ErrorCode != "" {
			kind += " " + r.ErrorCode
		}
		fmt.Fprintf(stdout, "%2d. %s  [%s]\n", i+1+res.Offset, plainLine(r.Title), plainLine(kind))
		fmt.Fprintf(stdout, "    %s\n", absURL(c, r.URL))
		if s := snippetText(r.Snippet, st); s != "" {
			fmt.Fprintf(stdout, "    %s\n", s)
		}
	}
	return nil
}

// absURL makes a path on the server a URL a terminal can open.
func absURL(c *client.Client, p string) string {
	if strings.HasPrefix(p, "/") {
		return c.BaseURL + p
	}
	return p
}

// toDocsArticle converts an API article for docs.FormatMarkdownFile.
func toDocsArticle(a client.Article) docs.Article {
	return docs.Article{ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, Body: a.Body, Tags: a.Tags,
		Section: docs.Section(a.Section), Audience: docs.Audience(a.Audience), Status: docs.Status(a.Status),
		ErrorCode: a.ErrorCode, Position: a.Position, AuthorID: a.AuthorID, AuthorName: a.AuthorName, Revision: a.Revision,
		LastReviewedAt: a.LastReviewedAt, PublishedAt: a.PublishedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, URL: a.URL}
}

// inputArticle is what a parsed file would be as an article, to compare it
// with the server's in a dry run.
func inputArticle(in docs.ArticleInput) docs.Article {
	return docs.Article{Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body, Tags: in.Tags, Section: in.Section,
		Audience: in.Audience, Status: in.Status, ErrorCode: in.ErrorCode, Position: in.Position, LastReviewedAt: in.LastReviewedAt}
}

// toClientInput converts a parsed file for the API.
func toClientInput(in docs.ArticleInput) client.ArticleInput {
	out := client.ArticleInput{Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body, Tags: in.Tags,
		Section: string(in.Section), Audience: string(in.Audience), Status: string(in.Status), ErrorCode: in.ErrorCode,
		Position: in.Position, Note: in.Note}
	if out.Note == "" {
		out.Note = "helpline docs import"
	}
	if in.LastReviewedAt != nil {
		out.LastReviewedAt = in.LastReviewedAt.UTC().Format(time.DateOnly)
	}
	return out
}

// safeName reports whether s can be one file or folder name of an export:
// no separators, no "." or "..", nothing hidden.
func safeName(s string) bool {
	return s != "" && !strings.ContainsAny(s, `/\:`) && !strings.HasPrefix(s, ".") && filepath.IsLocal(s)
}

func docsExport(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("docs export", stderr)
	all := fs.Bool("all", false, "include drafts (staff)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return docsUsagef(stderr, "docs export", "give one folder to write to, e.g. helpline docs export ./docs")
	}
	dir := pos[0]
	f := client.ArticleFilter{Page: client.Page{Limit: 200}}
	if !*all {
		f.Status = "published"
	}
	var articles []client.Article
	for {
		as, err := c.ListArticles(ctx, f)
		if err != nil {
			return err
		}
		articles = append(articles, as...)
		if len(as) < f.Limit {
			break
		}
		f.Offset += len(as)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Every write goes through a root at DIR: no slug or section from the
	// server can name a file outside it, by ".." or by symbolic link.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	written, failed := 0, 0
	for _, a := range articles {
		if !safeName(a.Section) || !safeName(a.Slug) {
			fmt.Fprintf(stderr, "skipped %q in section %q: not a safe file name\n", a.Slug, a.Section)
			failed++
			continue
		}
		name := path.Join(a.Section, a.Slug+".md")
		if err := root.MkdirAll(a.Section, 0o755); err != nil {
			return err
		}
		if err := root.WriteFile(name, docs.FormatMarkdownFile(toDocsArticle(a)), 0o644); err != nil {
			return err
		}
		written++
	}
	fmt.Fprintf(stdout, "Exported %d %s to %s\n", written, plural(written, "article", "articles"), dir)
	if failed > 0 {
		return fmt.Errorf("%d %s not exported", failed, plural(failed, "article was", "articles were"))
	}
	return nil
}

// markdownFile is one parsed file of an import.
type markdownFile struct {
	name string // relative to DIR, with slashes
	in   docs.ArticleInput
}

// readMarkdownDir parses every article file under dir: *.md except
// README.md, skipping hidden folders such as .git. Files that do not parse
// are reported to stderr and counted; the rest are returned in path order.
func readMarkdownDir(dir string, stderr io.Writer) ([]markdownFile, int, error) {
	var files []markdownFile
	failed := 0
	bySlug := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(p), ".md") || strings.EqualFold(d.Name(), "README.md") || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		in, err := docs.ParseMarkdownFile(name, data)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", name, describeDocs(err))
			failed++
			return nil
		}
		if other, dup := bySlug[in.Slug]; dup {
			fmt.Fprintf(stderr, "%s: slug %q is also the slug of %s; give one of them another slug\n", name, in.Slug, other)
			failed++
			return nil
		}
		bySlug[in.Slug] = name
		files = append(files, markdownFile{name: name, in: in})
		return nil
	})
	return files, failed, err
}

func docsImport(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("docs import", stderr)
	dryRun := fs.Bool("dry-run", false, "check the files and say what would change, without saving")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return docsUsagef(stderr, "docs import", "give one folder to read, e.g. helpline docs import ./docs")
	}
	dir := pos[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return docsUsagef(stderr, "docs import", "%s is not a folder", dir)
	}
	files, failed, err := readMarkdownDir(dir, stderr)
	if err != nil {
		return err
	}
	counts := map[client.PutResult]int{}
	for _, f := range files {
		var res client.PutResult
		if *dryRun {
			res, err = dryRunResult(ctx, c, f.in)
		} else {
			_, res, err = c.PutArticle(ctx, f.in.Slug, toClientInput(f.in))
		}
		var e *client.Error
		if isNetError(err) || errors.As(err, &e) && (e.Status == 401 || e.Status == 403) {
			return err // the server or the token, not the file: the rest would fail alike
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", f.name, strings.ReplaceAll(describeDocs(err).Error(), "\n", "\n  "))
			failed++
			continue
		}
		counts[res]++
	}
	done := counts[client.PutCreated] + counts[client.PutUpdated] + counts[client.PutUnchanged]
	verb := "Imported"
	if *dryRun {
		verb = "Dry run, nothing saved; would import"
	}
	fmt.Fprintf(stdout, "%s %d %s: %d created, %d updated, %d unchanged", verb, done,
		plural(done, "file", "files"), counts[client.PutCreated], counts[client.PutUpdated], counts[client.PutUnchanged])
	if failed > 0 {
		fmt.Fprintf(stdout, ", %d failed", failed)
	}
	fmt.Fprintln(stdout)
	if failed > 0 {
		return fmt.Errorf("%d %s could not be imported; see the messages above", failed, plural(failed, "file", "files"))
	}
	return nil
}

// dryRunResult says what importing in would do, by comparing the file with
// the server's article as the export would write it.
func dryRunResult(ctx context.Context, c *client.Client, in docs.ArticleInput) (client.PutResult, error) {
	cur, err := c.GetArticle(ctx, in.Slug)
	var e *client.Error
	if errors.As(err, &e) && e.Status == 404 {
		return client.PutCreated, nil
	}
	if err != nil {
		return "", err
	}
	if bytes.Equal(docs.FormatMarkdownFile(inputArticle(in)), docs.FormatMarkdownFile(toDocsArticle(cur))) {
		return client.PutUnchanged, nil
	}
	return client.PutUpdated, nil
}

// errorCodeRE matches a platform error code: H12, r14, L10.
var errorCodeRE = regexp.MustCompile(`^[HhRrLl][0-9]{2}$`)

func docsShow(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("docs show", stderr)
	asJSON := fs.Bool("json", false, "print the server's JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return docsUsagef(stderr, "docs show", "give one article slug or error code, e.g. helpline docs show H12")
	}
	p := "/api/v1/articles/" + url.PathEscape(pos[0])
	if errorCodeRE.MatchString(pos[0]) {
		p = "/api/v1/error-codes/" + strings.ToUpper(pos[0])
	}
	if *asJSON {
		return printRaw(ctx, c, p, stdout)
	}
	var a client.Article
	if err := c.Do(ctx, "GET", p, nil, &a); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n%s\n", plainLine(a.Title), absURL(c, a.URL))
	if a.Summary != "" {
		fmt.Fprintf(stdout, "\n%s\n", plainLine(a.Summary))
	}
	body := strings.TrimRight(a.Body, "\n")
	if body != "" {
		fmt.Fprintf(stdout, "\n%s\n", body)
	}
	return nil
}
