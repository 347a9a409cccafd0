package search

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
)

// benchDocs is how many articles BenchmarkSearch searches
// (HELPLINE_BENCH_SEARCH_DOCS changes it).
func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("HELPLINE_BENCH_SEARCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchQueries are searches as customers type them: sentences with
// stopwords, error codes, typos, single common words.
var benchQueries = []struct {
	text  string
	staff bool // everything, tickets included; otherwise a signed-in customer's help search
}{
	{"my app keeps crashing with h10 what do i do", false},
	{"memroy quota exceded", false},
	{"timout", false},
	{"how do i deploy a node app", false},
	{"custom domain ssl certificate not working", false},
	{"R14", false},
	{"error H12 on every request", false},
	{"postgres connection limit reached", false},
	{"buildpack failed to compile python app", false},
	{"how to add a log drain", false},
	{"scale worker dynos automatically", false},
	{"websocket connections dropped after 55 seconds", false},
	{"rollback a bad release", false},
	{"redis timeout errors in rails", true},
	{"change the billing plan for my team", false},
	{"deploy", false},
	{"app", false},
	{"why is my app so slow after a deploy", false},
	{"configure sso for the enterprise organization", true},
	{"pipline promotion stuck", false},
}

var benchWorld = sync.OnceValues(func() (*db.DB, error) { return openBenchDB(benchDocs()) })

// BenchmarkSearch measures searches over 100,000 generated articles. The
// seeded database is cached between runs (a file in the temporary directory
// on SQLite, a schema on PostgreSQL) and built once per process otherwise.
func BenchmarkSearch(b *testing.B) {
	d, err := benchWorld()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ix := New(d).(*index)
	checkPlans(b, ix)
	customer := []Audience{AudiencePublic, AudienceCustomers}
	help := []Kind{KindDoc, KindKB, KindChangelog, KindBlog}
	all := []Audience{AudiencePublic, AudienceCustomers, AudienceEnterprise, AudienceStaff}
	var took []time.Duration
	perQuery := make([][]time.Duration, len(benchQueries))
	i := 0
	for b.Loop() {
		n := i % len(benchQueries)
		bq := benchQueries[n]
		q := Query{Text: bq.text, Audiences: customer, Kinds: help}
		if bq.staff {
			q = Query{Text: bq.text, Audiences: all}
		}
		start := time.Now()
		res, err := ix.Search(ctx, q)
		d := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) == 0 {
			b.Fatalf("%q found nothing", q.Text)
		}
		took = append(took, d)
		perQuery[n] = append(perQuery[n], d)
		i++
	}
	b.ReportMetric(ms(percentile(took, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(took, 99)), "p99-ms")
	if testing.Verbose() {
		for n, ds := range perQuery {
			if len(ds) > 0 {
				b.Logf("%-50q p50 %6.2f ms  max %6.2f ms", benchQueries[n].text, ms(percentile(ds, 50)), ms(percentile(ds, 100)))
			}
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

// checkPlans explains the queries of the benchmark's searches on the seeded
// database, where the planners see real statistics, and fails on a full
// scan.
func checkPlans(b *testing.B, ix *index) {
	b.Helper()
	ctx := context.Background()
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	e := &explainer{t: b, tx: tx, dialect: ix.db.Dialect}
	for _, bq := range benchQueries {
		if _, err := ix.search(ctx, e, Query{Text: bq.text, Audiences: []Audience{AudiencePublic, AudienceCustomers}, Kinds: []Kind{KindDoc, KindKB, KindChangelog, KindBlog}}); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range e.plans {
		if fullScan.MatchString(p) {
			b.Errorf("a full scan:\n%s", p)
		}
		if testing.Verbose() {
			b.Log(p)
		}
	}
}

// openBenchDB returns a database holding n generated articles, from the
// cache when an earlier run left one.
func openBenchDB(n int) (*db.DB, error) {
	ctx := context.Background()
	sum := sha256.New()
	fmt.Fprintf(sum, "generator v2 %d\n", n)
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		ms, err := db.Migrations(dialect)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			sum.Write([]byte(m.SQL))
		}
	}
	key := hex.EncodeToString(sum.Sum(nil))[:12]
	var rawURL string
	if base := os.Getenv(dbtest.EnvVar); base != "" {
		schema := "bench_search_" + key
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return nil, err
		}
		_, err = admin.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema)
		admin.Close()
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(base)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		rawURL = u.String()
	} else {
		rawURL = "sqlite:" + filepath.Join(os.TempDir(), "helpline-search-bench-"+key+".db")
	}
	d, err := db.Open(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		return nil, err
	}
	var have int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM search_docs`).Scan(&have); err != nil {
		return nil, err
	}
	if have == n+len(allCodes()) {
		return d, nil
	}
	if _, err := d.ExecContext(ctx, `DELETE FROM search_docs`); err != nil {
		return nil, err
	}
	if _, err := d.ExecContext(ctx, `DELETE FROM search_terms`); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := seed(ctx, d, n); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "seeded %d search documents in %s (%s)\n", n, time.Since(start).Round(time.Second), rawURL)
	return d, nil
}

// seed puts the error-code reference and n generated articles into the
// index. It writes the rows Put would write, in bulk: Put's round trips per
// article would make seeding PostgreSQL take many minutes.
func seed(ctx context.Context, d *db.DB, n int) error {
	g := newGenerator(1)
	docs := g.reference()
	for id := 1; id <= n; id++ {
		docs = append(docs, g.article(int64(id)))
	}
	type key struct{ term, audience string }
	vocabulary := map[key]int{}
	for chunk := range slices.Chunk(docs, 500) {
		var args []any
		var values []string
		for _, doc := range chunk {
			s := stored{title: clean(doc.Title), tags: clean(strings.Join(doc.Tags, ", ")), body: clean(doc.Body), audience: string(doc.Audience)}
			var code *string
			if doc.ErrorCode != "" {
				code = &doc.ErrorCode
			}
			values = append(values, "("+placeholders(&args, []any{doc.Kind, doc.ID, s.title, s.tags, s.body, doc.URL, s.audience, code, db.Time(doc.UpdatedAt)})+")")
			for _, w := range words(s) {
				vocabulary[key{w, s.audience}]++
			}
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO search_docs (kind, ref_id, title, tags, body, url, audience, error_code, updated_at) VALUES `+
			strings.Join(values, ", "), args...); err != nil {
			return err
		}
	}
	keys := slices.Collect(maps.Keys(vocabulary))
	for chunk := range slices.Chunk(keys, 1000) {
		var args []any
		var values []string
		for _, k := range chunk {
			r, _ := utf8.DecodeRuneInString(k.term)
			values = append(values, "("+placeholders(&args, []any{k.term, k.audience, vocabulary[k], string(r), utf8.RuneCountInString(k.term)})+")")
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO search_terms (term, audience, docs, head, len) VALUES `+strings.Join(values, ", "), args...); err != nil {
			return err
		}
	}
	if d.Dialect == db.Postgres {
		for _, table := range []string{"search_docs", "search_terms"} {
			if _, err := d.ExecContext(ctx, `VACUUM ANALYZE `+table); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := d.ExecContext(ctx, `ANALYZE; INSERT INTO search_fts (search_fts) VALUES ('optimize')`)
	return err
}

// allCodes are the platform's error codes: H10–H99, R10–R99, L10–L15.
func allCodes() []string {
	var out []string
	for _, p := range []string{"H", "R"} {
		for i := 10; i <= 99; i++ {
			out = append(out, p+strconv.Itoa(i))
		}
	}
	for i := 10; i <= 15; i++ {
		out = append(out, "L"+strconv.Itoa(i))
	}
	return out
}

// generator writes plausible help-center articles. Each article is about
// a topic (some topics far more written about than others) and draws most
// of its nouns from it, the rest from the platform's general words and a
// tail of ordinary English, so word frequencies fall off as in real docs:
// "app" in a good share of articles, most words in few.
type generator struct {
	r     *rand.Rand
	zipfs map[int]*rand.Zipf
}

func newGenerator(seed uint64) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, seed+1)), zipfs: map[int]*rand.Zipf{}}
}

var topics = [][]string{
	strings.Fields("deploy release slug build buildpack compile git push branch rollback"),
	strings.Fields("dyno formation scale worker web process restart cycling idle sleep"),
	strings.Fields("router request timeout response websocket connection queue backlog latency header"),
	strings.Fields("postgres database follower replica backup credential pgbouncer vacuum index query"),
	strings.Fields("redis cache eviction keyspace persistence memory maxmemory client cluster instance"),
	strings.Fields("kafka topic partition consumer producer offset broker retention schema lag"),
	strings.Fields("domain certificate ssl tls dns cname apex acm hostname wildcard"),
	strings.Fields("log drain syslog logplex retention stream tail papertrail forwarding structured"),
	strings.Fields("metrics memory cpu throughput load dashboard threshold alert graph percentile"),
	strings.Fields("pipeline promotion staging production review environment stage ci test coupling"),
	strings.Fields("config variable secret environment setting credential rotation vault key value"),
	strings.Fields("billing invoice plan payment card charge usage credit account upgrade"),
	strings.Fields("team organization member role permission invitation collaborator owner admin access"),
	strings.Fields("sso saml identity provider okta login session directory provisioning scim"),
	strings.Fields("cli command plugin install version update login token terminal shell"),
	strings.Fields("api endpoint oauth token rate limit pagination webhook payload signature"),
	strings.Fields("container docker image registry manifest layer runtime stack base entrypoint"),
	strings.Fields("region space network peering vpn isolation private shield compliance residency"),
	strings.Fields("scheduler cron job task interval timezone oneoff run clock trigger"),
	strings.Fields("addon provider marketplace attachment provisioning plan service integration partner resource"),
	strings.Fields("autoscaling response target scaling rule traffic spike burst capacity limit"),
	strings.Fields("memory leak heap garbage collector swap quota allocation profile snapshot usage"),
	strings.Fields("boot port binding startup procfile command timeout crash exit signal"),
	strings.Fields("security vulnerability patch audit encryption firewall attack ddos compliance policy"),
	strings.Fields("email smtp delivery bounce sender template notification inbox spam relay"),
	strings.Fields("search index query relevance ranking analyzer elasticsearch shard replica mapping"),
	strings.Fields("storage bucket upload file object s3 ephemeral filesystem disk volume"),
	strings.Fields("migration schema rollback upgrade downtime maintenance window version compatibility data"),
}

var general = strings.Fields(`app dyno deploy release build request log config error platform service customer user
	support dashboard version update problem change setting feature limit issue guide example team`)

var english = strings.Fields(`able account action actually add address after again against ahead allow almost alone already
	although always amount another answer anything appear apply approach area around article ask assume attempt
	available average avoid aware back balance base basic become before begin behavior behind best better between
	beyond block body both bottom break bring broad brief bring busy call careful carry case catch cause central
	certain chance check choice choose clean clear close common complete complex condition consider constant contain
	continue control copy correct cost could count couple course cover create critical current cycle daily damage
	deal decide default define degree delay depend describe design detail determine develop different difficult
	direct discover display distinct document double during early easy effect effort either element else enable
	enough ensure entire equal event every exact example except expect explain extend extra fact factor fail fall
	familiar far fast field figure final find fine finish first fit fix focus follow force form forward frame free
	full function future gain general give global goal good great group grow guess half handle happen hard heavy
	help hidden high hold home hour however huge idea ignore image impact important improve include increase
	indicate initial inside instead interest internal keep kind known large last late later lead learn least leave
	less level light likely line list little local long look loss main maintain major make manage manual many match
	matter mean measure medium meet method middle might minor minute miss mode modern moment month move much
	multiple name natural near necessary need never next normal note notice number object obvious occur offer often
	once only open option order original other outside overall own part particular pass past path pattern pause
	perform period pick piece place plain point poor popular possible power practice prefer prepare present prevent
	previous primary prior private probably proper protect provide public pull purpose quick quiet raise random
	range rare rather reach read ready real reason receive recent record reduce regular relate remain remove repeat
	replace report require rest result return review right risk rough rule safe same save second section seem
	select send sense separate serious short show side sign simple since single size slow small smooth solid solve
	sort source special specific speed split spread stable standard start state step still stop strong structure
	subject success such suggest supply sure switch system table take target term test than thing think third
	though through time together total touch toward track trade transfer treat true turn type under unique unit
	until usual value various view visible wait want watch way week weight while whole wide window within without
	word work worth write wrong year`)

var langs = strings.Fields(`Node.js Python Ruby Go Java PHP Scala Clojure Elixir .NET Rust Kotlin`)
var frameworks = strings.Fields(`Rails Django Flask Express Spring Laravel Phoenix Next.js FastAPI Sinatra Gin Quarkus`)
var services = strings.Fields(`Postgres Redis Kafka Memcached Elasticsearch RabbitMQ MongoDB MySQL S3 Cloudflare Sentry Datadog`)
var verbs = strings.Fields(`deploy scale restart configure migrate rotate provision upgrade debug monitor connect rollback
	promote attach detach fork backup restore inspect tune secure rename transfer verify enable disable schedule`)
var problems = strings.Fields(`crashes fails hangs leaks stalls drops disconnects restarts slows rejects expires overflows refuses retries`)

var titleTemplates = []string{
	"How to {v} {t} on {l}",
	"{T} {p} after a {g}",
	"Troubleshooting {e} {t} {t}s",
	"Using {s} with {l} and {f}",
	"{L}: {v} {t}s with {f}",
	"Best practices for {t} {t}s",
	"Why does my {g} keep {p}?",
	"{V} {s} {t}s without downtime",
	"Understanding {t} {t} limits",
	"{F} {t} {p} on {s}",
}

var sentenceTemplates = []string{
	"If your {t} {p}, check the {t} {t} first.",
	"Run the {t} command with --app to {v} the {t}.",
	"The {t} {p} when the {t} is {e}, which is {e} during a {g}.",
	"{L} apps using {f} need a {e} {t} for the {t}.",
	"A {e} {t} means the {g} {p} under {e} load.",
	"You can {v} the {t} from the dashboard or with the CLI.",
	"{S} {t}s {e} by default; {v} them before you {v} the {t}.",
	"Set the {K} config var to {v} the {t} {t}.",
	"A {e} {t} usually {p} because the {t} {t} is {e}.",
	"See the {t} guide for {l} to {v} a {t} with {s}.",
	"Each {g} gets its own {t}, so {v} one {t} at a time.",
	"When the {t} {p}, the {g} logs the {t} and you {v} the {t}.",
	"We {e} recommend you {e} the {t} {t} and {e} {v} the {g}.",
}

var codeTitles = []string{"Request timeout", "App crashed", "Memory quota exceeded", "Boot timeout", "Backlog too deep", "Idle connection",
	"Request interrupted", "Client timeout", "Bad request", "Connection closed without response", "Log drain buffer overflow"}

// zipf picks an index below n, small ones far more often.
func (g *generator) zipf(n int) int {
	z := g.zipfs[n]
	if z == nil {
		z = rand.NewZipf(g.r, 1.2, 3, uint64(n-1))
		g.zipfs[n] = z
	}
	return int(z.Uint64())
}

// fill replaces every {x} of a template: t a word of the article's topic
// (or now and then a general one), g a general word, e ordinary English,
// v a verb, p a problem, l f s a language, framework, service, K a config
// var's name. {X} is capitalised.
func (g *generator) fill(tpl string, topic []string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		slot := tpl[i+1]
		var w string
		switch slot | 0x20 {
		case 't':
			if g.r.IntN(100) < 75 {
				w = topic[g.zipf(len(topic))]
			} else {
				w = general[g.zipf(len(general))]
			}
		case 'g':
			w = general[g.zipf(len(general))]
		case 'e':
			w = english[g.r.IntN(len(english))]
		case 'v':
			w = verbs[g.zipf(len(verbs))]
		case 'p':
			w = problems[g.zipf(len(problems))]
		case 'l':
			w = langs[g.zipf(len(langs))]
		case 'f':
			w = frameworks[g.zipf(len(frameworks))]
		case 's':
			w = services[g.zipf(len(services))]
		case 'k':
			w = strings.ToUpper(topic[g.r.IntN(len(topic))] + "_" + topic[g.r.IntN(len(topic))])
		}
		switch {
		case slot == 'K':
		case slot >= 'A' && slot <= 'Z':
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		tpl = tpl[i+3:]
	}
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *generator) paragraph(sentences int, topic []string) string {
	s := make([]string, sentences)
	for i := range s {
		s[i] = g.fill(g.pick(sentenceTemplates), topic)
	}
	return strings.Join(s, " ")
}

// reference is the error-code reference: one entry per code.
func (g *generator) reference() []Doc {
	var docs []Doc
	for i, code := range allCodes() {
		topic := topics[2] // the router's
		title := code + " - " + codeTitles[i%len(codeTitles)]
		body := fmt.Sprintf("%s means the platform stopped the request. ", code) + g.paragraph(6, topic) +
			fmt.Sprintf(" Example log line: at=error code=%s desc=%q method=GET path=\"/\" status=503", code, codeTitles[i%len(codeTitles)])
		docs = append(docs, Doc{Kind: KindDoc, ID: int64(1_000_000 + i), Title: title, Tags: []string{"error-codes", topic[g.r.IntN(len(topic))]}, Body: body,
			URL: "/docs/error-codes#" + strings.ToLower(code), Audience: AudiencePublic, ErrorCode: code, UpdatedAt: time.Unix(1_700_000_000, 0)})
	}
	return docs
}

// article is one generated article of 6 to 40 sentences: mostly public docs
// and KB articles, some for customers or enterprise plans, a few staff
// drafts; about 3% about an error code.
func (g *generator) article(id int64) Doc {
	doc := Doc{Kind: KindKB, ID: id, URL: "/docs/gen-" + strconv.FormatInt(id, 10), Audience: AudiencePublic,
		UpdatedAt: time.Unix(1_700_000_000+id*60, 0)}
	switch k := g.r.IntN(100); {
	case k < 35:
		doc.Kind = KindDoc
	case k < 80:
		doc.Kind = KindKB
	case k < 92:
		doc.Kind = KindChangelog
	default:
		doc.Kind = KindBlog
	}
	switch a := g.r.IntN(100); {
	case a < 15:
		doc.Audience = AudienceCustomers
	case a < 22:
		doc.Audience = AudienceEnterprise
	case a < 25:
		doc.Audience = AudienceStaff
	}
	topic := topics[g.zipf(len(topics))]
	doc.Title = g.fill(g.pick(titleTemplates), topic)
	var body []string
	for range 2 + g.r.IntN(5) {
		body = append(body, g.paragraph(3+g.r.IntN(6), topic))
	}
	if g.r.IntN(100) < 3 {
		code := g.pick(allCodes())
		doc.Title = "Fixing " + code + " errors in " + g.pick(langs) + " apps"
		body = append(body, fmt.Sprintf("The router logged %s for the %s: at=error code=%s path=\"/%s\".", code, topic[0], code, topic[1]))
	}
	doc.Body = strings.Join(body, "\n\n")
	doc.Tags = []string{topic[0], topic[g.r.IntN(len(topic))]}
	return doc
}
