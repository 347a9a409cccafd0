package search_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/search"
)

var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

var (
	everyone  = []search.Audience{search.AudiencePublic}
	customers = []search.Audience{search.AudiencePublic, search.AudienceCustomers}
	staff     = []search.Audience{search.AudiencePublic, search.AudienceCustomers, search.AudienceEnterprise, search.AudienceStaff}
)

// corpus is a small help center: error-code entries, guides, a KB article,
// a changelog entry, and documents only some readers may see.
var corpus = []search.Doc{
	{Kind: search.KindDoc, ID: 1, Title: "H12 - Request timeout", Tags: []string{"router", "timeout"}, URL: "/docs/error-codes#h12-request-timeout", Audience: search.AudiencePublic, ErrorCode: "H12",
		Body: "The router gave up on a request after 30 seconds without a response from the app. Slow database queries and calls to slow third-party APIs are the usual causes. Move long work to a background worker."},
	{Kind: search.KindDoc, ID: 2, Title: "R14 - Memory quota exceeded", Tags: []string{"runtime", "memory"}, URL: "/docs/error-codes#r14-memory-quota-exceeded", Audience: search.AudiencePublic, ErrorCode: "r14",
		Body: "A dyno used more memory than its quota allows and started to swap. Look for leaks and lower the number of worker processes."},
	{Kind: search.KindDoc, ID: 3, Title: "H10 - App crashed", Tags: []string{"router", "crash"}, URL: "/docs/error-codes#h10-app-crashed", Audience: search.AudiencePublic, ErrorCode: "H10",
		Body: "The web dyno crashed or failed to boot, so the router has nowhere to send requests. Read the logs from just before the crash."},
	{Kind: search.KindKB, ID: 4, Title: "Why does my app crash right after a deploy?", Tags: []string{"deploys", "crash"}, URL: "/docs/crash-after-deploy", Audience: search.AudiencePublic,
		Body: "Usually a missing config var or a port binding problem: the app must listen on $PORT within 60 seconds of starting."},
	{Kind: search.KindDoc, ID: 5, Title: "Deploying with Git", Tags: []string{"deploys", "git"}, URL: "/docs/deploying-with-git", Audience: search.AudiencePublic,
		Body: "Push your main branch to the platform remote to build and release a new version. The build log streams to your terminal while the slug compiles."},
	{Kind: search.KindDoc, ID: 6, Title: "Buildpacks", Tags: []string{"build"}, URL: "/docs/buildpacks", Audience: search.AudiencePublic,
		Body: "A buildpack turns your source into a slug. You rarely need to pick one: it is detected when you deploy. Custom buildpacks help with unusual stacks, and a deploy that fails to detect one says so in the build log."},
	{Kind: search.KindDoc, ID: 7, Title: "Multi-region reference architecture", Tags: []string{"architecture"}, URL: "/docs/multi-region", Audience: search.AudienceEnterprise,
		Body: "Run active-active in two regions with a shared Postgres follower; Kubernetes is not required."},
	{Kind: search.KindDoc, ID: 8, Title: "Draft: new pricing for dynos", URL: "/docs/pricing-draft", Audience: search.AudienceStaff,
		Body: "Confidential: the zephyrine plan replaces hobby dynos."},
	{Kind: search.KindChangelog, ID: 9, Title: "Router timeouts are now configurable", Tags: []string{"router"}, URL: "/changelog/router-timeouts", Audience: search.AudiencePublic,
		Body: "Enterprise apps can raise the router timeout from 30 to 120 seconds."},
	{Kind: search.KindBlog, ID: 10, Title: "How we render untrusted HTML", URL: "/blog/untrusted-html", Audience: search.AudiencePublic,
		Body: `Never echo <script>alert("pwned")</script> back to the browser & always escape it.`},
	{Kind: search.KindDoc, ID: 11, Title: "Logging basics", Tags: []string{"logs"}, URL: "/docs/logging", Audience: search.AudienceCustomers,
		Body: "Logs are streams of time-ordered events. Add a log drain to keep them."},
	{Kind: search.KindDoc, ID: 12, Title: "Config vars", Tags: []string{"config"}, URL: "/docs/config-vars", Audience: search.AudiencePublic,
		Body: "Config vars reach the app as environment variables. The Procfile can use them: a Procfile line like web: bin/start $PORT. Keep secrets out of the Procfile."},
	{Kind: search.KindDoc, ID: 13, Title: "The Procfile", Tags: []string{"processes"}, URL: "/docs/procfile", Audience: search.AudiencePublic,
		Body: "Each line declares a process type and the command that starts it. Declaring a web process type is required to receive traffic and scale it up."},
}

type fixture struct {
	t   *testing.T
	ctx context.Context
	db  *db.DB
	ix  search.Index
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	f := &fixture{t: t, ctx: context.Background(), db: d, ix: search.New(d)}
	for _, doc := range corpus {
		f.put(doc)
	}
	return f
}

func (f *fixture) put(doc search.Doc) {
	f.t.Helper()
	if doc.UpdatedAt.IsZero() {
		doc.UpdatedAt = t0
	}
	if err := f.db.InTx(f.ctx, func(tx *sql.Tx) error { return f.ix.Put(f.ctx, tx, doc) }); err != nil {
		f.t.Fatalf("put %s %d: %v", doc.Kind, doc.ID, err)
	}
}

func (f *fixture) search(q search.Query) []search.Result {
	f.t.Helper()
	res, err := f.ix.Search(f.ctx, q)
	if err != nil {
		f.t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

func urls(res []search.Result) []string {
	out := []string{}
	for _, r := range res {
		out = append(out, r.URL)
	}
	return out
}

func contains(res []search.Result, url string) bool {
	for _, r := range res {
		if r.URL == url {
			return true
		}
	}
	return false
}

func TestSearch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name      string
		q         search.Query
		first     string   // the URL that must rank first ("" when no result is expected)
		also      []string // URLs that must be found too
		never     []string // URLs that must not be found
		last      string   // the URL that must rank last
		corrected string
	}{
		{name: "title beats body", q: search.Query{Text: "procfile", Audiences: everyone},
			first: "/docs/procfile", also: []string{"/docs/config-vars"}},
		{name: "title and tags beat body", q: search.Query{Text: "deploy", Audiences: everyone},
			also: []string{"/docs/deploying-with-git", "/docs/crash-after-deploy", "/docs/buildpacks"}, last: "/docs/buildpacks"},
		{name: "stemming", q: search.Query{Text: "crashing", Audiences: everyone},
			also: []string{"/docs/crash-after-deploy", "/docs/error-codes#h10-app-crashed"}},
		{name: "stopword-heavy question", q: search.Query{Text: "how do I deploy my app with git?", Audiences: everyone},
			first: "/docs/deploying-with-git"},
		{name: "error code first", q: search.Query{Text: "my app keeps crashing with h10 what do i do", Audiences: everyone},
			first: "/docs/error-codes#h10-app-crashed", also: []string{"/docs/crash-after-deploy"}},
		{name: "error code with words around it", q: search.Query{Text: "error H12", Audiences: everyone},
			first: "/docs/error-codes#h12-request-timeout"},
		{name: "error code alone, stored in lower case", q: search.Query{Text: "R14", Audiences: everyone},
			first: "/docs/error-codes#r14-memory-quota-exceeded"},
		{name: "error code beats a better text match", q: search.Query{Text: "router timeout h10", Audiences: everyone},
			first: "/docs/error-codes#h10-app-crashed", also: []string{"/docs/error-codes#h12-request-timeout", "/changelog/router-timeouts"}},
		{name: "typos", q: search.Query{Text: "memroy quota exceded", Audiences: everyone},
			first: "/docs/error-codes#r14-memory-quota-exceeded", corrected: "memory quota exceeded"},
		{name: "typo keeps the rest of the text", q: search.Query{Text: "Request timout!", Audiences: everyone},
			first: "/docs/error-codes#h12-request-timeout", corrected: "Request timeout!"},
		{name: "two typos in a long word", q: search.Query{Text: "bakgrond workr", Audiences: everyone},
			first: "/docs/error-codes#h12-request-timeout", corrected: "background worker"},
		{name: "an inflection the stemmer knows is not a typo", q: search.Query{Text: "buildpackes detcted", Audiences: everyone},
			first: "/docs/buildpacks", corrected: "buildpackes detected"},
		{name: "a known inflection is not corrected", q: search.Query{Text: "deployed", Audiences: everyone},
			also: []string{"/docs/deploying-with-git"}},
		{name: "audience: enterprise hidden from customers", q: search.Query{Text: "multi-region architecture", Audiences: customers},
			never: []string{"/docs/multi-region"}},
		{name: "audience: enterprise readers find it", q: search.Query{Text: "multi-region architecture", Audiences: []search.Audience{search.AudiencePublic, search.AudienceEnterprise}},
			first: "/docs/multi-region"},
		{name: "audience: customers see customer docs", q: search.Query{Text: "log drain", Audiences: customers},
			first: "/docs/logging"},
		{name: "audience: anonymous do not", q: search.Query{Text: "log drain", Audiences: everyone},
			never: []string{"/docs/logging"}},
		{name: "no audiences finds nothing", q: search.Query{Text: "deploy"}},
		{name: "staff-only words are not suggested to others", q: search.Query{Text: "zephyrne", Audiences: customers}},
		{name: "staff get corrections from staff documents", q: search.Query{Text: "zephyrne", Audiences: staff},
			first: "/docs/pricing-draft", corrected: "zephyrine"},
		{name: "kinds", q: search.Query{Text: "router timeout", Audiences: everyone, Kinds: []search.Kind{search.KindChangelog}},
			first: "/changelog/router-timeouts", never: []string{"/docs/error-codes#h12-request-timeout"}},
		{name: "kinds also filter error codes", q: search.Query{Text: "h12 router", Audiences: everyone, Kinds: []search.Kind{search.KindChangelog, search.KindBlog}},
			first: "/changelog/router-timeouts", never: []string{"/docs/error-codes#h12-request-timeout"}},
		{name: "only stopwords", q: search.Query{Text: "how do I do it?", Audiences: everyone}},
		{name: "nothing matches", q: search.Query{Text: "xylophone", Audiences: everyone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.search(tc.q)
			got := urls(res)
			if tc.first == "" && len(tc.also) == 0 && len(tc.never) == 0 && len(res) != 0 {
				t.Fatalf("found %v, want nothing", got)
			}
			if tc.first != "" && (len(res) == 0 || res[0].URL != tc.first) {
				t.Fatalf("found %v, want %s first", got, tc.first)
			}
			for _, u := range tc.also {
				if !contains(res, u) {
					t.Errorf("found %v, want %s among them", got, u)
				}
			}
			if tc.last != "" && (len(res) == 0 || res[len(res)-1].URL != tc.last) {
				t.Errorf("found %v, want %s last", got, tc.last)
			}
			for _, u := range tc.never {
				if contains(res, u) {
					t.Errorf("found %v, must not find %s", got, u)
				}
			}
			for _, r := range res {
				if r.Corrected != tc.corrected {
					t.Errorf("corrected = %q, want %q", r.Corrected, tc.corrected)
				}
			}
		})
	}
}

func TestResultFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := f.search(search.Query{Text: "h12 router", Audiences: everyone})
	if len(res) < 2 {
		t.Fatalf("found %v", urls(res))
	}
	h12 := res[0]
	if h12.Kind != search.KindDoc || h12.ID != 1 || h12.Title != "H12 - Request timeout" || h12.ErrorCode != "H12" {
		t.Fatalf("first result = %+v", h12)
	}
	if !strings.Contains(h12.Snippet, "<mark>") {
		t.Errorf("snippet %q marks nothing", h12.Snippet)
	}
	for i := 1; i < len(res); i++ {
		if res[i].Score > res[i-1].Score {
			t.Errorf("result %d scores %v, more than the one before (%v)", i, res[i].Score, res[i-1].Score)
		}
	}
	// The error code was stored as written ("r14") and comes back upper case.
	if res := f.search(search.Query{Text: "r14", Audiences: everyone}); len(res) == 0 || res[0].ErrorCode != "R14" {
		t.Fatalf("r14: %+v", res)
	}
}

// Snippets are HTML: the document's text escaped, and only <mark> added.
func TestSnippetEscaping(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, text := range []string{"script alert", "escape", "pwned browser"} {
		res := f.search(search.Query{Text: text, Audiences: everyone})
		if len(res) == 0 || res[0].URL != "/blog/untrusted-html" {
			t.Fatalf("%q: found %v", text, urls(res))
		}
		s := res[0].Snippet
		if !strings.Contains(s, "&lt;") || !strings.Contains(s, "&amp;") || !strings.Contains(s, "<mark>") {
			t.Errorf("%q: snippet %q is not escaped and marked", text, s)
		}
		rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
		if strings.ContainsAny(rest, "<>\"") {
			t.Errorf("%q: snippet %q has markup besides <mark>", text, s)
		}
	}
	// Text that looks like the snippet markers is dropped on the way in.
	f.put(search.Doc{Kind: search.KindKB, ID: 50, Title: "Sentinels", Body: "before \x01<b>sneaky</b>\x02 after", URL: "/kb/sentinels", Audience: search.AudiencePublic})
	res := f.search(search.Query{Text: "sneaky", Audiences: everyone})
	if len(res) != 1 || strings.Contains(res[0].Snippet, "<b>") || strings.Count(res[0].Snippet, "<mark>") != 1 {
		t.Fatalf("snippet %+v", res)
	}
}

func TestPutReplacesAndDeleteRemoves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(search.Doc{Kind: search.KindDoc, ID: 5, Title: "Releasing with containers", Body: "Build an image and release it.", URL: "/docs/containers", Audience: search.AudiencePublic})
	if res := f.search(search.Query{Text: "git", Audiences: everyone}); contains(res, "/docs/deploying-with-git") || contains(res, "/docs/containers") {
		t.Fatalf("the old text is still found: %v", urls(res))
	}
	res := f.search(search.Query{Text: "containers", Audiences: everyone})
	if len(res) != 1 || res[0].URL != "/docs/containers" || res[0].ID != 5 {
		t.Fatalf("the new text: %+v", res)
	}
	// The same ID of another kind is another document.
	f.put(search.Doc{Kind: search.KindBlog, ID: 5, Title: "Containers at scale", Body: "Our story.", URL: "/blog/containers", Audience: search.AudiencePublic})
	if res := f.search(search.Query{Text: "containers", Audiences: everyone}); len(res) != 2 {
		t.Fatalf("two kinds, one ID: %v", urls(res))
	}
	// A document moving audience moves out of sight.
	f.put(search.Doc{Kind: search.KindDoc, ID: 5, Title: "Releasing with containers", Body: "Build an image and release it.", URL: "/docs/containers", Audience: search.AudienceStaff})
	if res := f.search(search.Query{Text: "releasing", Audiences: everyone}); len(res) != 0 {
		t.Fatalf("a staff-only document was found: %v", urls(res))
	}

	for _, id := range []int64{1, 1, 999} { // twice, and never indexed: no error
		if err := f.ix.Delete(f.ctx, f.db, search.KindDoc, id); err != nil {
			t.Fatalf("delete %d: %v", id, err)
		}
	}
	if res := f.search(search.Query{Text: "h12 request timeout", Audiences: everyone}); contains(res, "/docs/error-codes#h12-request-timeout") {
		t.Fatalf("a deleted document was found: %v", urls(res))
	}
	// Its words left the vocabulary with it: no correction to them.
	if res := f.search(search.Query{Text: "thirdparty", Audiences: everyone}); len(res) != 0 {
		t.Fatalf("found %v", urls(res))
	}
	var n int
	if err := f.db.QueryRowContext(f.ctx, `SELECT count(*) FROM search_terms WHERE term = 'usual'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("vocabulary keeps a word of the deleted document only: %d, %v", n, err)
	}
	if err := f.db.QueryRowContext(f.ctx, `SELECT docs FROM search_terms WHERE term = 'router' AND audience = 'public'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("'router' in %d public documents (%v), want 2 after the delete", n, err)
	}
}

// The index moves with the content: a rolled-back transaction leaves no
// trace.
func TestPutRollsBackWithTheTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	refused := errors.New("the content failed to save")
	err := f.db.InTx(f.ctx, func(tx *sql.Tx) error {
		if err := f.ix.Put(f.ctx, tx, search.Doc{Kind: search.KindKB, ID: 77, Title: "Quokka migrations", Body: "quokka", URL: "/kb/quokka", Audience: search.AudiencePublic, UpdatedAt: t0}); err != nil {
			return err
		}
		if err := f.ix.Delete(f.ctx, tx, search.KindDoc, 5); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	if res := f.search(search.Query{Text: "quokka", Audiences: everyone}); len(res) != 0 {
		t.Fatalf("rolled-back put found: %v", urls(res))
	}
	if res := f.search(search.Query{Text: "git", Audiences: everyone}); !contains(res, "/docs/deploying-with-git") {
		t.Fatalf("rolled-back delete took effect: %v", urls(res))
	}
}

func TestPutValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, doc := range []search.Doc{
		{ID: 1, Audience: search.AudiencePublic},
		{Kind: search.KindDoc, Audience: search.AudiencePublic},
		{Kind: search.KindDoc, ID: 1},
		{Kind: search.KindDoc, ID: 1, Audience: "everybody"},
	} {
		err := f.ix.Put(f.ctx, f.db, doc)
		if helpline.KindOf(err) != helpline.KindInvalid {
			t.Errorf("put %+v: %v, want invalid", doc, err)
		}
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := search.Query{Text: "router timeout h12 crash deploy", Audiences: everyone, Limit: 50}
	all := urls(f.search(q))
	if len(all) < 6 {
		t.Fatalf("found %v", all)
	}
	var paged []string
	for offset := 0; offset < len(all)+2; offset += 2 {
		q.Limit, q.Offset = 2, offset
		paged = append(paged, urls(f.search(q))...)
	}
	if strings.Join(paged, " ") != strings.Join(all, " ") {
		t.Fatalf("pages of 2:\n%v\nall at once:\n%v", paged, all)
	}
	q.Limit, q.Offset = 0, 0
	if n := len(f.search(q)); n != min(10, len(all)) {
		t.Fatalf("default limit: %d results", n)
	}
	q.Limit, q.Offset = 500, -3
	if n := len(f.search(q)); n != len(all) {
		t.Fatalf("limit 500, offset -3: %d results", n)
	}
}

// Whatever people type, search answers without a syntax error, and finds
// the words in it.
func TestHostileQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hostile := []string{
		``, ` `, `"`, `""`, `"""`, `'`, `''`, `\`, `\'`, `(`, `)`, `()`, `(((`, `*`, `**`, `-`, `--`, `+`, `^`, `:`, `::`, `!`, `&`, `|`, `<->`, `<`, `>`,
		`NEAR`, `NEAR(a b)`, `NEAR(deploy git, 2)`, `AND`, `OR`, `NOT`, `a AND`, `OR OR OR`, `deploy AND`, `NOT deploy`, `deploy -git`, `-deploy`,
		`deploy*`, `*deploy`, `title:deploy`, `{title}: deploy`, `body : crash`, `^deploy`, `"deploy`, `deploy"`, `'deploy'`, `deploy' | 'git`,
		`deploy & !git`, `deploy:*`, `deploy:A`, `git <-> deploy`, `git <2> deploy`, `(deploy | git) & !crash`, `%`, `_`, `$1`, `?`, `;`, `--;DROP TABLE search_docs;--`,
		`'); DROP TABLE search_docs; --`, "\x00", "deploy\x00git", "\x01mark\x02", `ünïcödé`, `日本語のドキュメント`, `Ｈ１２`, `🚀 deploy 🚀`, "\u200b", `h12h12h12`, `h1`, `H100`,
		strings.Repeat("deploy ", 500), strings.Repeat("a", 5000), strings.Repeat("(", 300),
	}
	for _, text := range hostile {
		for _, aud := range [][]search.Audience{everyone, staff} {
			if _, err := f.ix.Search(f.ctx, search.Query{Text: text, Audiences: aud}); err != nil {
				t.Errorf("search %q: %v", text, err)
			}
		}
	}
	for _, text := range []string{`"deploy`, `(deploy)`, `deploy*`, `NOT deploy`, `{title}: deploy`, `deploy:*`, `deploy' | 'git`, `🚀 deploy 🚀`} {
		if res := f.search(search.Query{Text: text, Audiences: everyone}); !contains(res, "/docs/deploying-with-git") {
			t.Errorf("search %q found %v, want the Git deploy guide among them", text, urls(res))
		}
	}
	// Hostile text is indexed and found just as well.
	for i, text := range hostile {
		f.put(search.Doc{Kind: search.KindKB, ID: int64(1000 + i), Title: text, Body: text, Tags: []string{text}, URL: "/kb/hostile", Audience: search.AudienceStaff})
	}
	if res := f.search(search.Query{Text: "ünïcödé", Audiences: staff}); !contains(res, "/kb/hostile") {
		t.Errorf("unicode text not found: %v", urls(res))
	}
}

// Writers sharing words update the vocabulary at once without deadlocks,
// and the counts add up.
func TestConcurrentPuts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	shared := strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet")
	const writers, each = 6, 15
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			var err error
			for i := range each {
				id := int64(10_000 + w*each + i)
				// Each writer sees the words in another order, and rewrites
				// its documents once, dropping a word.
				words := append(slices.Clone(shared[w%len(shared):]), shared[:w%len(shared)]...)
				for pass := range 2 {
					doc := search.Doc{Kind: search.KindKB, ID: id, Title: "Concurrent " + strconv.Itoa(w), Body: strings.Join(words[pass:], " "), URL: "/kb/c", Audience: search.AudiencePublic, UpdatedAt: t0}
					if err = f.db.InTx(f.ctx, func(tx *sql.Tx) error { return f.ix.Put(f.ctx, tx, doc) }); err != nil {
						break
					}
				}
			}
			errs <- err
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := f.db.QueryRowContext(f.ctx, `SELECT docs FROM search_terms WHERE term = 'juliet' AND audience = 'public'`).Scan(&n); err != nil || n != writers*each {
		t.Fatalf("'juliet' in %d documents (%v), want %d", n, err, writers*each)
	}
	// Every writer dropped its first word once: alpha is in the documents of
	// the writers that did not start with it.
	if err := f.db.QueryRowContext(f.ctx, `SELECT docs FROM search_terms WHERE term = 'alpha' AND audience = 'public'`).Scan(&n); err != nil || n != (writers-1)*each {
		t.Fatalf("'alpha' in %d documents (%v), want %d", n, err, (writers-1)*each)
	}
}
