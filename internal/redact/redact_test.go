package redact_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/helpline-dev/helpline/internal/redact"
)

// The secrets below are generated: format-valid, random-looking (several
// rules demand entropy) and never real. A fixed seed keeps them stable.
type fake struct{ r *rand.Rand }

func newFake() *fake { return &fake{rand.New(rand.NewPCG(20201207, 91018))} }

const (
	alnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upper32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	hexLow  = "0123456789abcdef"
	b64     = alnum + "+/"
	word    = alnum + "_"
)

func (f *fake) s(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[f.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (f *fake) uuid() string {
	return f.s(hexLow, 8) + "-" + f.s(hexLow, 4) + "-4" + f.s(hexLow, 3) + "-8" + f.s(hexLow, 3) + "-" + f.s(hexLow, 12)
}

func (f *fake) jwt() string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload := enc.EncodeToString([]byte(`{"sub":"` + f.s(alnum, 12) + `","exp":1607332218}`))
	return header + "." + payload + "." + f.s(alnum, 43)
}

func (f *fake) pemBody(lines int) string {
	var b strings.Builder
	for range lines {
		b.WriteString(f.s(b64, 64))
		b.WriteByte('\n')
	}
	return b.String()
}

func newRedactor(tb testing.TB) *redact.Redactor {
	tb.Helper()
	r, err := redact.New()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

type secretCase struct {
	name   string
	text   string
	secret string // must vanish; the finding's span is exactly this
	kind   string
}

// secretCases builds one paste per kind of secret, each in the context a
// customer would paste it in.
func secretCases() []secretCase {
	f := newFake()
	var cs []secretCase
	add := func(name, kind, secret, format string) {
		cs = append(cs, secretCase{name: name, kind: kind, secret: secret, text: fmt.Sprintf(format, secret)})
	}
	add("aws access key id", "aws-access-token", "AKIA"+f.s(upper32, 16),
		"[default]\naws_access_key_id = %s\nregion = us-east-1\n")
	add("aws secret access key", "env-secret", f.s(b64, 40),
		"export AWS_SECRET_ACCESS_KEY=%s\n")
	add("github classic pat", "github-pat", "ghp_"+f.s(alnum, 36),
		"GITHUB_TOKEN=%s\n")
	add("github fine-grained pat", "github-fine-grained-pat", "github_pat_"+f.s(word, 82),
		"I tried again with my token %s but the push still fails.")
	add("slack bot token", "slack-bot-token", "xoxb-"+f.s("0123456789", 12)+"-"+f.s("0123456789", 13)+"-"+f.s(alnum, 24),
		"slack client started with %s\n")
	add("slack webhook", "slack-webhook-url", "https://hooks.slack.com/services/T"+f.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10)+"/B"+f.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10)+"/"+f.s(alnum, 24),
		"notifications go to %s and nowhere else")
	add("stripe live secret key", "stripe-access-token", "sk_live_"+f.s(alnum, 24),
		"Stripe.api_key = \"%s\"\n")
	add("google api key", "gcp-api-key", "AIza"+f.s(word+"-", 35),
		"const apiKey = '%s';\n")
	add("jwt", "jwt", f.jwt(),
		"Cookie: session=%s; Path=/\n")
	add("pem rsa private key", "private-key", "-----BEGIN RSA PRIVATE KEY-----\n"+f.pemBody(25)+"-----END RSA PRIVATE KEY-----",
		"here is the deploy key:\n\n%s\n\nthanks")
	add("truncated pem key", "private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\n"+strings.TrimSuffix(f.pemBody(6), "\n"),
		"%s\n(the rest got cut off)")
	add("postgres url password", "url-password", f.s(alnum, 20),
		"DATABASE_URL=postgres://app_user:%s@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8s7f6\n")
	add("redis url password", "url-password", "p"+f.s(alnum, 24),
		"REDIS_URL=rediss://:%s@ec2-5-6-7-8.compute-1.amazonaws.com:6380\n")
	add("mongodb+srv url password", "url-password", f.s(alnum, 16)+"@"+f.s(alnum, 4),
		"mongodb+srv://admin:%s@cluster0.mongodb.net/test?retryWrites=true")
	add("heroku api key uuid", "heroku-api-key", f.uuid(),
		"HEROKU_API_KEY=%s\n")
	add("heroku api key hrku", "heroku-api-key", "HRKU-AA"+f.s(word+"-", 58),
		"heroku token is %s\n")
	add("env password", "env-secret", "hunter2hunter2",
		"DATABASE_PASSWORD=%s\n")
	add("json client secret", "env-secret", f.s(alnum, 32),
		"{\n  \"client_id\": \"web-app\",\n  \"client_secret\": \"%s\"\n}\n")
	add("yaml password", "env-secret", "S3cure!"+f.s(alnum, 6),
		"production:\n  adapter: postgresql\n  password: %s\n")
	add("cli flag", "env-secret", f.s(alnum, 18),
		"$ mysql -h db.example.com --password=%s app\n")
	add("bearer header", "auth-header", f.s(alnum+"-._~", 40),
		"GET /v1/apps HTTP/1.1\nAuthorization: Bearer %s\nAccept: */*\n")
	add("basic header", "auth-header", base64.StdEncoding.EncodeToString([]byte("bob:"+f.s(alnum, 12))),
		"POST /hooks HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Basic %s\r\n\r\n")
	add("curl header", "curl-auth-header", f.s(alnum, 32),
		"curl https://api.example.com -H 'Authorization: Bearer %s'")
	add("service account json key", "private-key", `-----BEGIN PRIVATE KEY-----\n`+strings.ReplaceAll(f.pemBody(4), "\n", `\n`)+`-----END PRIVATE KEY-----\n`,
		"{\"type\": \"service_account\", \"private_key_id\": \"1a2b3c\", \"private_key\": \"%s\", \"client_email\": \"svc@proj.iam.gserviceaccount.com\"}")
	add("sendgrid key", "sendgrid-api-token", "SG."+f.s(word+"-", 22)+"."+f.s(word+"-", 43),
		"SENDGRID_API_KEY=%s\n")
	add("twilio api key", "twilio-api-key", "SK"+f.s(hexLow, 32),
		"twilio api key sid: %s (created last week)")
	return cs
}

func TestRedactSecrets(t *testing.T) {
	r := newRedactor(t)
	for _, tc := range secretCases() {
		t.Run(tc.name, func(t *testing.T) {
			out, fs := r.Redact(tc.text)
			if !strings.Contains(out, "[REDACTED:"+tc.kind+"]") {
				t.Errorf("output lacks [REDACTED:%s]: %q (findings %v)", tc.kind, out, fs)
			}
			if strings.Contains(out, tc.secret) {
				t.Errorf("secret survived: %q", out)
			}
			// No part of it either: any 8-byte piece would be a leak.
			for i := 0; i+8 <= len(tc.secret); i++ {
				if piece := tc.secret[i : i+8]; strings.Contains(out, piece) && !strings.Contains(tc.text[:strings.Index(tc.text, tc.secret)], piece) {
					t.Errorf("piece %q of the secret survived: %q", piece, out)
					break
				}
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings %v, want 1", len(fs), fs)
			}
			if got := tc.text[fs[0].Start:fs[0].End]; got != tc.secret || fs[0].Kind != tc.kind {
				t.Errorf("finding %s %q, want %s %q", fs[0].Kind, got, tc.kind, tc.secret)
			}
		})
	}
}

// Only the secret goes: the rest of the line is what staff need to help.
func TestRedactKeepsContext(t *testing.T) {
	r := newRedactor(t)
	tests := []struct {
		in, want string
	}{
		{"postgres://user:pa55w0rd@host/db", "postgres://user:[REDACTED:url-password]@host/db"},
		{"DATABASE_URL=postgresql://u:x7!k@db:5432/app?sslmode=require", "DATABASE_URL=postgresql://u:[REDACTED:url-password]@db:5432/app?sslmode=require"},
		{"postgres://u:pw9x8c7v@[::1]:5432/db", "postgres://u:[REDACTED:url-password]@[::1]:5432/db"},
		{"amqp://guest:s3cr3tz@rabbit:5672/", "amqp://guest:[REDACTED:url-password]@rabbit:5672/"},
		{"smtp://me@example.com:mailpass1@smtp.example.com", "smtp://me@example.com:[REDACTED:url-password]@smtp.example.com"},
		{"DATABASE_PASSWORD=hunter2hunter2 # prod", "DATABASE_PASSWORD=[REDACTED:env-secret] # prod"},
		{`{"password": "correct horse battery"}`, `{"password": "[REDACTED:env-secret]"}`},
		{"  api_key: 'abc123def456'", "  api_key: '[REDACTED:env-secret]'"},
		{"GET /cb?code=ok&access_token=Zx81kQ0pLm2 HTTP/1.1", "GET /cb?code=ok&access_token=[REDACTED:env-secret] HTTP/1.1"},
		{"password = os.Getenv(\"DB_PASSWORD\")", "password = os.Getenv(\"DB_PASSWORD\")"},
		// A secret-named variable holding a URL: the URL rule knows which
		// part is the password.
		{"REDIS_AUTH=redis://:pw9x8c7v@cache:6379", "REDIS_AUTH=redis://:[REDACTED:url-password]@cache:6379"},
		// heroku config output.
		{"=== myapp Config Vars\nDATABASE_URL:    postgres://u1:pw0rd123@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1\nHEROKU_API_KEY:  0f8fad5b-d9cb-469f-a165-70867728950e\nSECRET_KEY_BASE: 9f8e7d6c5b4a\nWEB_CONCURRENCY: 2\n",
			"=== myapp Config Vars\nDATABASE_URL:    postgres://u1:[REDACTED:url-password]@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1\nHEROKU_API_KEY:  [REDACTED:heroku-api-key]\nSECRET_KEY_BASE: [REDACTED:env-secret]\nWEB_CONCURRENCY: 2\n"},
		// A known format in a secret-named key: the specific kind wins.
		{"HEROKU_API_KEY=HRKU-AAabcdefghijklmnopqrstuvwx0123456789", "HEROKU_API_KEY=[REDACTED:heroku-api-key]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, _ := r.Redact(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// PASSWORD_MIN_LENGTH=10 is kept: the name after PASSWORD (MIN, LENGTH)
// makes it a setting about passwords, not one. The decision rests on the
// name, not on the short numeric value, because DB_PASSWORD=12345678 is a
// real password and is redacted.
func TestNoFalsePositives(t *testing.T) {
	r := newRedactor(t)
	tests := []struct{ name, text string }{
		{"router log", `2020-12-07T09:10:18.982224+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https`},
		{"memory quota", "2020-12-07T09:10:18+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)"},
		{"state change", "2020-12-07T09:10:19+00:00 heroku[web.1]: State changed from starting to crashed"},
		{"app log with ids", "app[web.1]: user_id=42 session_id=0f8fad5b-d9cb-469f-a165-70867728950e auth=ok token_type=bearer"},
		{"stack trace", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]\n\ngoroutine 1 [running]:\nmain.(*TokenStore).Refresh(0x0)\n\t/app/token.go:42 +0x1c\nmain.main()\n\t/app/main.go:17 +0x25\nexit status 2"},
		{"python trace", "Traceback (most recent call last):\n  File \"/app/auth.py\", line 12, in login\n    password = request.form['password']\nKeyError: 'password'"},
		{"url without password", "DATABASE_URL=postgres://host/db\nREDIS_URL=redis://cache:6379/0\nsee https://devcenter.heroku.com/articles/error-codes#h12-request-timeout"},
		{"url with user only", "git clone ssh://git@github.com:22/org/repo.git"},
		{"min length setting", "PASSWORD_MIN_LENGTH=10\nTOKEN_TTL=3600\nSESSION_SECRET_FILE=/run/secrets/session\nmax_tokens=512"},
		{"markdown prose", "## Resetting a password\n\nIf your **password** reset email never arrives, request a new token from the dashboard.\nThe token expires after an hour; a password must be 10 characters.\nReset password: click the link in the email."},
		{"git shas", "deployed 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 (was e83c5163316f89bfbde7d9ab23ca2e25604af290)"},
		{"placeholders", "DB_PASSWORD=${DB_PASSWORD}\napi_key: <your-api-key>\nSECRET_KEY=****\ntoken: \"{{ .Token }}\""},
		{"booleans and nulls", "require_auth=true\n\"password\": null\nauth: false"},
		{"shell pwd", "PWD=/home/deploy/app\nOLDPWD=/home/deploy"},
		{"code comparisons", "if token == nil || password != \"\" {\n\treturn ErrAuth\n}"},
		{"package.json author", `{"name": "my-app", "author": "Jane Doe <jane@example.com>", "version": "1.0.0"}`},
		{"heroku app id", "HEROKU_APP_ID=8601b555-6a83-4c12-8269-97c8e32cdb22\nHEROKU_APP_NAME=myapp"},
		{"aws example key", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, fs := r.Redact(tt.text)
			if len(fs) != 0 || out != tt.text {
				for _, f := range fs {
					t.Errorf("%s: %q", f.Kind, tt.text[f.Start:f.End])
				}
			}
		})
	}
}

func TestRedactIdempotent(t *testing.T) {
	r := newRedactor(t)
	for _, tc := range secretCases() {
		t.Run(tc.name, func(t *testing.T) {
			once, _ := r.Redact(tc.text)
			twice, fs := r.Redact(once)
			if len(fs) != 0 || twice != once {
				t.Errorf("second pass found %v: %q -> %q", fs, once, twice)
			}
		})
	}
}

// A secret found in one place is removed everywhere it appears.
func TestRedactRepeatedSecret(t *testing.T) {
	r := newRedactor(t)
	in := "DB_PASSWORD=Kq83nZp0vXw\n...\nERROR: password authentication failed (tried Kq83nZp0vXw)"
	out, fs := r.Redact(in)
	if strings.Contains(out, "Kq83nZp0vXw") || len(fs) != 2 {
		t.Errorf("got %d findings, %q", len(fs), out)
	}
}

func TestRedactLogWithTwoSecrets(t *testing.T) {
	r := newRedactor(t)
	log, secrets := logPaste(newFake(), 10*1024)
	out, fs := r.Redact(log)
	if len(fs) != len(secrets) {
		t.Errorf("got %d findings %v, want %d", len(fs), fs, len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("secret %q survived", s)
		}
	}
}

func TestRedactAll(t *testing.T) {
	r := newRedactor(t)
	desc := "App crashes since the key rotation"
	logs := "REDIS_URL=redis://:p4ssw0rdz@cache:6379\nSTRIPE_KEY=sk_live_" + newFake().s(alnum, 24) + "\n"
	var missing *string
	if n := r.RedactAll(&desc, &logs, missing); n != 2 {
		t.Errorf("RedactAll = %d, want 2", n)
	}
	if strings.Contains(logs, "p4ssw0rdz") || strings.Contains(logs, "sk_live_") || desc != "App crashes since the key rotation" {
		t.Errorf("got %q, %q", desc, logs)
	}
}

// One Redactor serves every request; run with -race.
func TestRedactConcurrent(t *testing.T) {
	r := newRedactor(t)
	cases := secretCases()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for _, tc := range cases[i%len(cases):] {
				if out, _ := r.Redact(tc.text); strings.Contains(out, tc.secret) {
					t.Errorf("%s survived", tc.name)
				}
			}
		})
	}
	wg.Wait()
}

func FuzzRedact(f *testing.F) {
	r := newRedactor(f)
	for _, tc := range secretCases() {
		f.Add(tc.text)
		out, _ := r.Redact(tc.text)
		f.Add(out)
	}
	f.Add("postgres://u:p@h/db PASSWORD=x TOKEN: y\n-----BEGIN PRIVATE KEY-----\n")
	f.Fuzz(func(t *testing.T, text string) {
		out, fs := r.Redact(text)
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output %q from %q", out, text)
		}
		// Where each marker landed in the output.
		type span struct{ start, end int }
		var markers []span
		last, pos := 0, 0
		for _, fd := range fs {
			if fd.Start < last || fd.End <= fd.Start || fd.End > len(text) {
				t.Fatalf("bad finding %v after %d in %q", fd, last, text)
			}
			pos += fd.Start - last
			m := span{pos, pos + len("[REDACTED:"+fd.Kind+"]")}
			markers = append(markers, m)
			pos, last = m.end, fd.End
		}
		// A secret's bytes may only reappear where a marker's own bytes
		// spell them (a fuzzed "secret" such as `ED:env-secret]`); an
		// occurrence in text kept from the input is a leak.
		for _, fd := range fs {
			secret := text[fd.Start:fd.End]
			if len(secret) <= 8 {
				continue
			}
			for from := 0; ; {
				i := strings.Index(out[from:], secret)
				if i < 0 {
					break
				}
				s, e := from+i, from+i+len(secret)
				overlaps := false
				for _, m := range markers {
					if s < m.end && m.start < e {
						overlaps = true
						break
					}
				}
				if !overlaps {
					t.Fatalf("secret %q (%s) survived in %q", secret, fd.Kind, out)
				}
				from = s + 1
			}
		}
	})
}

// logPaste builds a realistic Heroku log of about size bytes with two
// secrets in it, and returns the secrets.
func logPaste(f *fake, size int) (string, []string) {
	pw := f.s(alnum, 20)
	pat := "ghp_" + f.s(alnum, 36)
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		ts := fmt.Sprintf("2020-12-07T09:%02d:%02d.%06d+00:00", 10+i/60%50, i%60, f.r.IntN(1000000))
		switch i % 9 {
		case 0, 1, 2, 3:
			fmt.Fprintf(&b, "%s heroku[router]: at=info method=GET path=\"/api/v1/items/%d?page=2\" host=myapp.herokuapp.com request_id=%s fwd=\"204.204.204.%d\" dyno=web.%d connect=0ms service=%dms status=200 bytes=%d protocol=https\n",
				ts, f.r.IntN(10000), f.uuid(), f.r.IntN(255), 1+i%3, f.r.IntN(900), f.r.IntN(90000))
		case 4:
			fmt.Fprintf(&b, "%s app[web.1]: I, [%s #4]  INFO -- : Completed 200 OK in 41ms (Views: 12.3ms | ActiveRecord: 8.1ms | Allocations: 9876)\n", ts, ts)
		case 5:
			fmt.Fprintf(&b, "%s heroku[router]: at=error code=H12 desc=\"Request timeout\" method=POST path=\"/auth/token\" host=myapp.herokuapp.com request_id=%s fwd=\"10.1.2.3\" dyno=web.2 connect=1ms service=30000ms status=503 bytes=0 protocol=https\n", ts, f.uuid())
		case 6:
			fmt.Fprintf(&b, "%s heroku[web.2]: Error R14 (Memory quota exceeded)\n", ts)
		case 7:
			fmt.Fprintf(&b, "%s app[worker.1]: sidekiq: job=SyncJob jid=%s elapsed=0.42 queue=default\n", ts, f.s(hexLow, 24))
		case 8:
			fmt.Fprintf(&b, "%s app[web.1]: ActionController::RoutingError (No route matches [GET] \"/wp-login.php\"):\n", ts)
		}
		if i == 11 {
			fmt.Fprintf(&b, "%s app[web.1]: connecting to postgres://u8d7s6:%s@ec2-3-4-5-6.compute-1.amazonaws.com:5432/dbx\n", ts, pw)
		}
		if i == 30 {
			fmt.Fprintf(&b, "%s app[release.1]: git fetch with GITHUB_TOKEN=%s\n", ts, pat)
		}
	}
	return b.String(), []string{pw, pat}
}

// Every log paste goes through Redact before it is stored.
func BenchmarkRedactLog10KB(b *testing.B) {
	r := newRedactor(b)
	log, _ := logPaste(newFake(), 10*1024)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		if _, fs := r.Redact(log); len(fs) != 2 {
			b.Fatalf("%d findings", len(fs))
		}
	}
}

// Every ticket description and comment goes through Redact.
func BenchmarkRedactShort(b *testing.B) {
	r := newRedactor(b)
	text := "Since this morning's deploy our app returns H12 errors on /checkout. " +
		"We rotated the API token yesterday and updated the config, password " +
		"unchanged. Logs attached. Could you check whether the router or our " +
		"dyno is at fault? It is urgent: customers cannot pay. Thanks, Dana"
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.Redact(text)
	}
}

// New runs once at start-up; this is its cost.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		newRedactor(b)
	}
}
