package mailin

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type wantAttachment struct {
	filename, contentType string
	inline                bool
}

// fixtureWant is what one testdata/*.eml must parse to. Every field is
// checked; reply is compared exactly unless empty, in which case replyHas
// and replyLacks describe it.
type fixtureWant struct {
	messageID   string
	inReplyTo   []string
	references  []string
	from        string
	fromName    string
	to          []string
	subject     string
	autoReason  string // "" means not an automatic message
	reply       string
	replyHas    []string
	replyLacks  []string
	textHas     []string
	attachments []wantAttachment
}

const tok123 = "support+tok123@help.example.com"

var fixtures = map[string]fixtureWant{
	"gmail_reply.eml": {
		messageID:  "CAF3x9Ko2bQ1pYd8mZ0JrT8s7wV+Hx3kq@mail.gmail.com",
		inReplyTo:  []string{"ticket-1042.n5@help.example.com"},
		references: []string{"ticket-1042@help.example.com", "ticket-1042.n5@help.example.com"},
		from:       "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{tok123},
		subject: "Re: [#1042] Webhook deliveries failing with 502",
		reply:   "Hi Sam,\n\nThanks, rotating the signing secret fixed it. Deliveries are green again\nsince 10:40 CET.\n\nJane",
		textHas: []string{"> Your endpoint answers 502"},
	},
	"gmail_html_only.eml": {
		messageID:  "CAF3x9Kp7Lw0Hh2sQ@mail.gmail.com",
		inReplyTo:  []string{"ticket-1042.n6@help.example.com"},
		references: []string{"ticket-1042@help.example.com", "ticket-1042.n6@help.example.com"},
		from:       "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{tok123},
		subject: "Re: [#1042] Webhook deliveries failing with 502",
		reply:   "Hi Sam,\n\nHere is the request ID you asked for: req_7f3a9c21\nIt failed at 11:14 CET.\n\nJane",
		// The gmail_quote div is removed before conversion, so even Text lacks it.
		replyLacks: []string{"could you send", "wrote:"},
	},
	"android_gmail.eml": {
		messageID:  "CAF3x9KqA1ndr0id9Zx@mail.gmail.com",
		inReplyTo:  []string{"ticket-1042.n8@help.example.com"},
		references: []string{"ticket-1042@help.example.com", "ticket-1042.n8@help.example.com"},
		from:       "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{tok123},
		subject: "Re: [#1042] Webhook deliveries failing with 502",
		reply:   "Will do, I'll send the logs tonight.", // attribution wrapped over two lines
	},
	"outlook_desktop.eml": {
		messageID:  "AM9PR08MB6756C1E4A0B2D7F0A6C3B1E2D9A12@AM9PR08MB6756.eurprd08.prod.outlook.com",
		inReplyTo:  []string{"ticket-1077.n2@help.example.com"},
		references: []string{"ticket-1077.n2@help.example.com"},
		from:       "marek.nowak@example-logistics.com", fromName: "Marek Nowak",
		to:      []string{"support@help.example.com", "ops@example-logistics.com"},
		subject: "RE: [#1077] Scheduled export fails",
		reply:   "Hello,\n\nThe export job still fails after the retry. Job ID: exp_20250304_0917.\n\nRegards,\nMarek Nowak\nPlatform Engineer | Example Logistics",
	},
	"outlook_html_only.eml": {
		messageID:  "AM9PR08MB6756D2F5B1C3E8A1@AM9PR08MB6756.eurprd08.prod.outlook.com",
		inReplyTo:  []string{"ticket-1077.n3@help.example.com"},
		references: []string{"ticket-1077.n2@help.example.com", "ticket-1077.n3@help.example.com"},
		from:       "marek.nowak@example-logistics.com", fromName: "Marek Nowak",
		to:          []string{"support+tok777@help.example.com"},
		subject:     "RE: [#1077] Scheduled export fails",
		reply:       "Confirmed: last night's export ran fine.\nThanks for the quick fix!",
		replyLacks:  []string{"From:", "deployed a fix"},
		attachments: []wantAttachment{{"image001.png", "image/png", true}},
	},
	"outlook_com.eml": {
		messageID:  "PH7PR11MB5820A1E3C9B4D2F7E6A1B3C4D5E6F@PH7PR11MB5820.namprd11.prod.outlook.com",
		inReplyTo:  []string{"ticket-1103.n1@help.example.com"},
		references: []string{"ticket-1103.n1@help.example.com"},
		from:       "priya.r@outlook.com", fromName: "Priya Raman",
		to:      []string{"support+tok789@help.example.com"},
		subject: "Re: [#1103] Billing question about overage",
		reply:   "Hi,\n\nYes, please go ahead and close the ticket. The credit note arrived.\n\nThanks\nPriya",
	},
	"apple_mail.eml": {
		messageID:  "8E3F1A2B-4C5D-4E6F-9A0B-1C2D3E4F5A6B@example.net",
		inReplyTo:  []string{"ticket-1088.n2@help.example.com"},
		references: []string{"ticket-1088@help.example.com", "ticket-1088.n2@help.example.com"},
		from:       "tom@example.net", fromName: "Tom Becker",
		to:      []string{"support+tokapple@help.example.com"},
		subject: "Re: [#1088] CLI login loops forever",
		reply:   "Hi Sam,\n\nI tried the new CLI build and the login loop is gone. Thanks!\n\nTom",
	},
	"apple_mail_html_only.eml": {
		messageID: "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D@example.net",
		inReplyTo: []string{"ticket-1088.n3@help.example.com"},
		from:      "tom@example.net", fromName: "Tom Becker",
		to:      []string{"support+tokapple@help.example.com"},
		subject: "Re: [#1088] CLI login loops forever",
		reply:   "Works on the Linux box too, closing from my side.",
		textHas: []string{"> Hi Tom, does it work on Linux as well?"}, // blockquote type=cite became "> "
	},
	"iphone.eml": {
		messageID:  "5F6A7B8C-9D0E-4F1A-2B3C-4D5E6F7A8B9C@example.org",
		inReplyTo:  []string{"ticket-1042.n7@help.example.com"},
		references: []string{"ticket-1042.n7@help.example.com"},
		from:       "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{tok123},
		subject: "Re: [#1042] Webhook deliveries failing with 502",
		reply:   "Yes that\u2019s the right project, thanks",
	},
	"samsung_email.eml": {
		messageID: "m5x2q7c0a1b2c3d4e5f6.samsung@email.android.com",
		inReplyTo: []string{"ticket-1150.n1@help.example.com"},
		from:      "ahmed.saleh@example.com", fromName: "Ahmed Saleh",
		to:      []string{"support+toksam@help.example.com"},
		subject: "RE: [#1150] API key revoked?",
		reply:   "I didn't revoke it myself. Can you check the audit log for who did?",
	},
	"thunderbird_flowed.eml": {
		messageID:  "3b9f2e71-6c4d-4a1e-9f0b-7d2c8e5a1b4f@example.io",
		inReplyTo:  []string{"ticket-1061.n4@help.example.com"},
		references: []string{"ticket-1061@help.example.com", "ticket-1061.n4@help.example.com"},
		from:       "alex@example.io", fromName: "Alex Kim",
		to:      []string{"support+tokbird@help.example.com"},
		subject: "Re: [#1061] Migration stuck at step 3",
		// format=flowed joined, space-stuffing removed, signature cut.
		reply: "Hi Sam,\n\nI re-ran the migration with --dry-run and it reports three pending steps, not one. The output is below, unchanged:\n\n" +
			"  step 3: add_index_tickets_org_id  PENDING\n  step 4: backfill_sla_due_at       PENDING\n  step 5: drop_legacy_queue         PENDING\n\n" +
			"Should I run them one by one?",
		textHas: []string{"> please run the migration with --dry-run and tell us what it prints. We will then decide whether to skip step 3."},
	},
	"french_client.eml": {
		messageID: "CAJr0fR9frA2nc3Q@mail.gmail.com",
		inReplyTo: []string{"ticket-1120.n2@help.example.com"},
		from:      "elodie.lefevre@example.fr", fromName: "Élodie Lefèvre",
		to:      []string{"support+tokfr@help.example.com"},
		subject: "Re : [#1120] Problème de facturation",
		reply:   "Bonjour,\n\nMerci pour votre réponse rapide. Le problème persiste après la mise à jour : la facture de février affiche toujours 412,00 EUR au lieu de 312,00.\n\nCordialement,\nÉlodie",
	},
	"german_client.eml": {
		messageID: "9c1d7e2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f@example.de",
		inReplyTo: []string{"ticket-1131.n1@help.example.com"},
		from:      "jonas.mueller@example.de", fromName: "Jonas Müller",
		to:      []string{"support+tokde@help.example.com"},
		subject: "Re: [#1131] Zertifikat wird nicht erneuert",
		reply:   "Hallo Sam,\n\ndanke, das Zertifikat für api.example.de wird jetzt korrekt erneuert.\nIhr könnt das Ticket schließen.\n\nViele Grüße\nJonas Müller",
	},
	"bottom_posting.eml": {
		messageID: "20250305160000.GA1234@example.com",
		inReplyTo: []string{"ticket-1142.n1@help.example.com"},
		from:      "dana@example.com", fromName: "Dana Whitfield",
		to:      []string{"support+tokbottom@help.example.com"},
		subject: "Re: [#1142] Which key is used?",
		reply:   "It's the live key, prefix hl_live_. The test key was never deployed.\n\nDana",
	},
	"inline_reply.eml": {
		messageID: "20250305163000.GB1234@example.com",
		inReplyTo: []string{"ticket-1142.n2@help.example.com"},
		from:      "dana@example.com", fromName: "Dana Whitfield",
		to:      []string{"support+tokinline@help.example.com"},
		subject: "Re: [#1142] A few questions",
		// Quoted questions between answers stay; attribution and the quoted
		// tail after the last answer go.
		reply: "Hi, answers inline.\n\n> Hi Dana,\n>\n> Which region does your project run in?\n\neu-west-1.\n\n> And which SDK version are you on?\n\nv4.2.1 of the Go SDK.",
	},
	"forwarded.eml": {
		messageID: "CAF3x9KrFwd0a1b2c3@mail.gmail.com",
		from:      "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{"support@help.example.com"},
		subject: "Fwd: [ALERT] p99 latency above threshold",
		reply:   "Hi support, see the alert we got below. Is this related to today's incident?",
		textHas: []string{"p99 latency for api-gateway exceeded 2s"},
	},
	"attachments_png_inline.eml": {
		messageID: "CAF3x9KsImg0q8w@mail.gmail.com",
		inReplyTo: []string{"ticket-1042.n9@help.example.com"},
		from:      "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{tok123},
		subject: "Re: [#1042] Webhook deliveries failing with 502",
		reply:   "Here is what the dashboard shows:\n\n[image: dashboard.png]\n\nAnd the error dialog is attached.",
		attachments: []wantAttachment{
			{"error-dialog.png", "image/png", false},
			{"dashboard.png", "image/png", true},
		},
	},
	"pdf_attachment.eml": {
		messageID: "PH7PR11MB5820B2F4@PH7PR11MB5820.namprd11.prod.outlook.com",
		inReplyTo: []string{"ticket-1103.n3@help.example.com"},
		from:      "priya.r@outlook.com", fromName: "Priya Raman",
		to:          []string{"support+tok789@help.example.com"},
		subject:     "Re: [#1103] Invoice attached",
		reply:       "The invoice you asked for is attached.\n\nPriya",
		attachments: []wantAttachment{{"Rechnung März 2025.pdf", "application/pdf", false}},
	},
	"quoted_printable.eml": {
		messageID: "qp.1155.20250306@example.cn",
		inReplyTo: []string{"ticket-1155.n1@help.example.com"},
		from:      "chen.wei@example.cn", fromName: "Chen Wei",
		to:      []string{"support+tokqp@help.example.com"},
		subject: "Re: [#1155] Timeout settings",
		reply:   "We set timeout=30s and retries=5 in helpline.toml as suggested, but the client still gives up after exactly ten seconds, which suggests the setting is not read at all. Café dashboard shows the same.",
	},
	"base64_body.eml": {
		messageID: "b64.1160@example.it",
		inReplyTo: []string{"ticket-1160.n1@help.example.com"},
		from:      "sofia.rossi@example.it", fromName: "Sofia Rossi",
		to:      []string{"support+tokb64@help.example.com"},
		subject: "Re: [#1160] Webhook signature header",
		reply:   "Grazie! The header name was the problem: we read X-Helpline-Signature but\nthe proxy lower-cases it. Works now.\n\nSofia",
	},
	"iso_8859_1.eml": {
		messageID: "latin1.1170@example.es",
		inReplyTo: []string{"ticket-1170.n1@help.example.com"},
		from:      "maria.garcia@example.es", fromName: "María García",
		to:      []string{"support+tokes@help.example.com"},
		subject: "Re: [#1170] Configuración de SSO",
		reply:   "Hola,\n\nLa configuración de SSO funciona, pero el botón «Iniciar sesión» sigue apareciendo en inglés.\n\nSaludos,\nMaría",
	},
	"windows_1252.eml": {
		messageID: "DB9PR03MB7321@DB9PR03MB7321.eurprd03.prod.outlook.com",
		inReplyTo: []string{"ticket-1180.n1@help.example.com"},
		from:      "liam.obrien@example.ie", fromName: "Liam O'Brien",
		to:      []string{"support+tokcp@help.example.com"},
		subject: "RE: [#1180] Rate limits",
		reply:   "We\u2019re hitting the \u201cburst\u201d limit \u2013 roughly 1,200 requests/minute \u2013 and the invoice shows \u20ac49 for overage. Is that expected?\n\nLiam",
	},
	"shift_jis.eml": {
		messageID: "sjis.1190@example.jp",
		inReplyTo: []string{"ticket-1190.n1@help.example.com"},
		from:      "tanaka@example.jp", fromName: "田中 太郎",
		to:      []string{"support+tokjp@help.example.com"},
		subject: "Re: [#1190] ログインできません",
		reply:   "お世話になっております。\n\nご連絡ありがとうございます。キャッシュを削除したところ、ログインできるようになりました。\n\n田中",
	},
	"iso_2022_jp.eml": {
		messageID: "jis.1191@example.jp",
		inReplyTo: []string{"ticket-1191.n1@help.example.com"},
		from:      "suzuki@example.jp", fromName: "鈴木 花子",
		to:      []string{"support+tokjis@help.example.com"},
		subject: "Re: [#1191] 請求書について",
		reply:   "請求書を確認しました。問題ありません。\n\n鈴木",
		textHas: []string{"> 確認してください。"},
	},
	"koi8_r.eml": {
		messageID: "koi8.1192@example.ru",
		inReplyTo: []string{"ticket-1192.n1@help.example.com"},
		from:      "ivan.petrov@example.ru", fromName: "Иван Петров",
		to:      []string{"support+tokru@help.example.com"},
		subject: "Re: [#1192] Ошибка оплаты",
		reply:   "Здравствуйте!\n\nСпасибо, после обновления карты оплата прошла успешно.\n\nИван",
	},
	"code_stacktrace.eml": {
		messageID:  "CAH8code0trace1@mail.gmail.com",
		inReplyTo:  []string{"ticket-1200.n1@help.example.com"},
		references: []string{"ticket-1200@help.example.com", "ticket-1200.n1@help.example.com"},
		from:       "ravi@example.dev", fromName: "Ravi Kumar",
		to:      []string{"support+tokcode@help.example.com"},
		subject: "Re: [#1200] Go client panics on Get",
		reply: "Hi,\n\nStill crashing. Minimal repro:\n\n```go\nfunc main() {\n" +
			"\tc := helpline.NewClient(os.Getenv(\"HL_TOKEN\"))\n\n" +
			"\tt, err := c.Tickets.Get(ctx, 1042)\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tfmt.Println(t.Subject)\n}\n```\n\n" +
			"And the stack trace:\n\n" +
			"panic: runtime error: invalid memory address or nil pointer dereference\n" +
			"[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6b2f3d]\n\n" +
			"goroutine 1 [running]:\n" +
			"github.com/helpline-dev/helpline/client.(*TicketService).Get(0x0, {0x7a1c20, 0xc000012345}, 0x412)\n" +
			"\t/home/ci/go/pkg/mod/github.com/helpline-dev/helpline@v0.4.1/client/tickets.go:88 +0x3d\n" +
			"main.main()\n\t/src/repro/main.go:12 +0x8b\nexit status 2\n\nThanks,\nRavi",
	},
	"signature_dashes.eml": {
		messageID: "sig.1210@example.de",
		inReplyTo: []string{"ticket-1210.n1@help.example.com"},
		from:      "lena.fischer@example.de", fromName: "Lena Fischer",
		to:         []string{"support+toksig@help.example.com"},
		subject:    "Re: [#1210] Status page shows wrong region",
		reply:      "The status page now lists Frankfurt correctly. Thanks for the quick fix.",
		replyLacks: []string{"Lena Fischer", "+49"},
	},
	"ooo_auto_submitted.eml": {
		messageID: "ooo.20250307@example.org",
		inReplyTo: []string{"ticket-1042.n10@help.example.com"},
		from:      "jane.doe@example.org", fromName: "Jane Doe",
		to:         []string{tok123},
		subject:    "Out of Office: Re: [#1042] Webhook deliveries failing with 502",
		autoReason: "Auto-Submitted: auto-replied",
		reply:      "I am out of the office until 17 March with limited access to email.",
	},
	"exchange_oof.eml": {
		messageID: "4f2a9c1e8b7d4e6fa1b2c3d4e5f60718@EX01.example-logistics.com",
		inReplyTo: []string{"ticket-1077.n4@help.example.com"},
		from:      "marek.nowak@example-logistics.com", fromName: "Marek Nowak",
		to:         []string{"support+tok777@help.example.com"},
		subject:    "Automatic reply: [#1077] Scheduled export fails",
		autoReason: "X-Auto-Response-Suppress: All",
		reply:      "I am on leave until Monday. For urgent matters contact ops@example-logistics.com.",
	},
	"subject_autoreply.eml": {
		messageID: "autosvar.1240@example.se",
		from:      "erik.lund@example.se", fromName: "Erik Lund",
		to:         []string{"support+tokse@help.example.com"},
		subject:    "Autosvar: [#1240] Deploy keys",
		autoReason: "Subject: Autosvar",
		reply:      "Jag är på semester till 20 mars.",
	},
	"bounce_report.eml": {
		messageID: "20250307090005.7E1A552A0F4@mx1.help.example.com",
		from:      "mailer-daemon@mx1.help.example.com", fromName: "Mail Delivery System",
		to:         []string{"support@help.example.com"},
		subject:    "Undelivered Mail Returned to Sender",
		autoReason: "bounce (multipart/report)",
		replyHas:   []string{"550 5.1.1", "could not\nbe delivered"},
	},
	"bounce_mailer_daemon.eml": {
		messageID:  "qmail.20250307091000@mail.example.net",
		from:       "mailer-daemon@mail.example.net",
		to:         []string{"support+tok555@help.example.com"},
		subject:    "failure notice",
		autoReason: "bounce (From: mailer-daemon)",
		replyHas:   []string{"no mailbox here by that name"},
	},
	"precedence_bulk.eml": {
		messageID: "newsletter.2025-03.7731@vendor.example.com",
		from:      "news@vendor.example.com", fromName: "Vendor News",
		to:         []string{"support@help.example.com"},
		subject:    "March product update",
		autoReason: "Precedence: bulk",
		reply:      "This month: faster builds, a new dashboard and more.",
	},
	"return_path_empty.eml": {
		messageID: "ack.88231@itdesk.example.org",
		from:      "itdesk@example.org", fromName: "Example IT Desk",
		to:         []string{"support@help.example.com"},
		subject:    "Your request has been received [IT-88231]",
		autoReason: "Return-Path: <>",
		reply:      "Thank you for contacting the IT Desk. Your request number is IT-88231.",
	},
	"noreply_sender.eml": {
		messageID: "code.7731@accounts.example.com",
		from:      "no-reply@accounts.example.com", fromName: "Example Accounts",
		to:         []string{"support@help.example.com"},
		subject:    "Your verification code",
		autoReason: "From: no-reply",
		reply:      "Your verification code is 448102.",
	},
	"token_in_to.eml": {
		messageID: "tok.to.1042@example.pl",
		inReplyTo: []string{"ticket-1042.n12@help.example.com"},
		from:      "anna.kowalski@example.pl", fromName: "Kowalski, Anna",
		to:      []string{tok123}, // lower-cased from Support+tok123@Help.Example.com
		subject: "Re: [#1042] Webhook deliveries failing with 502",
		reply:   "Adding myself to this ticket, I'm Jane's colleague on the platform team.",
	},
	"token_in_cc.eml": {
		messageID: "tok.cc.1043@example.org",
		inReplyTo: []string{"ticket-1043.n1@help.example.com"},
		from:      "jane.doe@example.org", fromName: "Jane Doe",
		to:      []string{"anna.kowalski@example.pl", "support+tok456@help.example.com", "ops@example.org"},
		subject: "Re: [#1043] Access for a new teammate",
		reply:   "Anna, support asked for your details; support is in Cc.",
	},
	"delivered_to.eml": {
		messageID: "dt.1044@example.org",
		from:      "devteam@example.org", fromName: "Dev Team",
		to:      []string{"platform-alerts@example.org", "support+tok999@help.example.com"},
		subject: "Re: [#1044] Sandbox quota",
		reply:   "The quota increase works, thank you.",
	},
	"rfc2047.eml": {
		messageID: "enc.1042@example.es",
		inReplyTo: []string{"ticket-1042.n13@help.example.com"},
		from:      "jose.martinez@example.es", fromName: "José Martínez",
		to:      []string{"support+tokenc@help.example.com"},
		subject: "Re: [#1042] Überprüfung der Webhooks ✔",
		reply:   "Perfecto, gracias.",
	},
	"no_message_id.eml": {
		inReplyTo: []string{"ticket-1220.n1@help.example.com"},
		from:      "build-bot-owner@example.com",
		to:        []string{"support+toknoid@help.example.com"},
		subject:   "Re: [#1220] Build minutes",
		reply:     "Our CI script sends this without a Message-ID. The build minutes look right now.",
	},
	"malformed_boundary.eml": {
		from: "old.client@example.com", fromName: "Old Client",
		to:      []string{"support+tokbroken@help.example.com"},
		subject: "Re: [#1230] export",
		reply:   "The CSV export is still empty for March. Café account, id 5521.",
	},
	"malformed_no_headers.eml": {
		reply: "hello support, my mail program crashed while sending this. the deploy\nof app-7731 hangs at \"waiting for health check\" since 09:00.",
	},
}

func TestParseFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("corpus has %d fixtures, want at least 30", len(files))
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := fixtures[name]
			if !ok {
				t.Fatalf("no expectations for %s; add it to fixtures", name)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkString(t, "MessageID", m.MessageID, want.messageID)
			checkList(t, "InReplyTo", m.InReplyTo, want.inReplyTo)
			checkList(t, "References", m.References, want.references)
			checkString(t, "From", m.From, want.from)
			checkString(t, "FromName", m.FromName, want.fromName)
			checkList(t, "To", m.To, want.to)
			checkString(t, "Subject", m.Subject, want.subject)
			checkString(t, "AutoReason", m.AutoReason, want.autoReason)
			if m.AutoReply != (want.autoReason != "") {
				t.Errorf("AutoReply = %v, want %v", m.AutoReply, want.autoReason != "")
			}
			if want.reply != "" {
				checkString(t, "Reply", m.Reply, want.reply)
			}
			for _, s := range want.replyHas {
				if !strings.Contains(m.Reply, s) {
					t.Errorf("Reply lacks %q:\n%s", s, m.Reply)
				}
			}
			for _, s := range want.replyLacks {
				if strings.Contains(m.Reply, s) {
					t.Errorf("Reply contains %q:\n%s", s, m.Reply)
				}
			}
			for _, s := range want.textHas {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, m.Text)
				}
			}
			// What the customer wrote never carries quoted history's
			// attribution, whatever the client.
			if m.Reply == "" || strings.Contains(m.Reply, "wrote:") || strings.Contains(m.Reply, "\r") {
				t.Errorf("Reply is empty or holds an attribution or CR:\n%q", m.Reply)
			}
			var got []wantAttachment
			for _, a := range m.Attachments {
				got = append(got, wantAttachment{a.Filename, a.ContentType, a.Inline})
				if len(a.Data) == 0 {
					t.Errorf("attachment %q has no data", a.Filename)
				}
			}
			if !slices.Equal(got, want.attachments) {
				t.Errorf("Attachments = %+v, want %+v", got, want.attachments)
			}
		})
	}
	for name := range fixtures {
		if !seen[name] {
			t.Errorf("expectations for %s but no testdata/%s", name, name)
		}
	}
}

func checkString(t *testing.T, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s =\n%q\nwant\n%q", field, got, want)
	}
}

func checkList(t *testing.T, field string, got, want []string) {
	t.Helper()
	if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func TestParseAttachmentData(t *testing.T) {
	raw, err := os.ReadFile("testdata/pdf_attachment.eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || !strings.HasPrefix(string(m.Attachments[0].Data), "%PDF-1.4") {
		t.Fatalf("PDF attachment not decoded: %+v", m.Attachments)
	}
}

func TestParseErrors(t *testing.T) {
	for _, raw := range []string{"", "   \r\n\r\n  ", "\n"} {
		if _, err := Parse([]byte(raw)); err == nil {
			t.Errorf("Parse(%q) = nil error, want ErrEmpty", raw)
		}
	}
	// Headers but no body is still a message: threading can use it.
	m, err := Parse([]byte("From: a@example.com\r\nSubject: [#7] hi\r\n\r\n"))
	if err != nil || m.From != "a@example.com" || m.Subject != "[#7] hi" {
		t.Errorf("headers-only message: %+v, %v", m, err)
	}
}

func TestParseHTMLEdgeCases(t *testing.T) {
	head := "From: jane@example.org\r\nSubject: Re: [#1] x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	tests := []struct {
		name, html, reply string
	}{
		// Typed inside the quote container: keeping the whole text beats losing it.
		{"all inside gmail_quote", `<div class="gmail_quote"><blockquote>old</blockquote>my answer</div>`, "my answer"},
		{"pre keeps code layout", "<div>Output:</div><pre>line 1\n    line 2</pre>", "Output:\nline 1\n    line 2"},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(head + tt.html))
		if err != nil {
			t.Fatal(err)
		}
		if m.Reply != tt.reply {
			t.Errorf("%s: Reply = %q, want %q", tt.name, m.Reply, tt.reply)
		}
	}
	// An HTML body that converts to nothing must not be "salvaged" as markup.
	m, err := Parse([]byte(head + `<div><br></div>`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "<") {
		t.Errorf("markup leaked into Text: %q", m.Text)
	}
}

func TestAutoReplyHeaders(t *testing.T) {
	base := "From: Jane <jane@example.org>\r\nTo: support@help.example.com\r\nSubject: Re: [#1] x\r\n"
	tests := []struct {
		header string
		want   string
	}{
		{"", ""},
		{"Auto-Submitted: no\r\n", ""},
		{"Auto-Submitted: auto-generated\r\n", "Auto-Submitted: auto-generated"},
		{"Auto-Submitted: auto-replied (vacation)\r\n", "Auto-Submitted: auto-replied (vacation)"},
		{"X-Autorespond: Vacation\r\n", "X-Autorespond: Vacation"},
		{"X-Autoreply: yes\r\n", "X-Autoreply: yes"},
		{"X-Auto-Response-Suppress: DR, RN, NRN\r\n", ""},
		{"X-Auto-Response-Suppress: OOF, AutoReply\r\n", "X-Auto-Response-Suppress: OOF, AutoReply"},
		{"Precedence: junk\r\n", "Precedence: junk"},
		{"Precedence: List\r\n", "Precedence: list"},
		{"Precedence: first-class\r\n", ""},
		{"X-Failed-Recipients: bob@example.net\r\n", "bounce (X-Failed-Recipients)"},
		{"Return-Path: < >\r\n", "Return-Path: <>"},
		{"Return-Path: <jane@example.org>\r\n", ""},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(base + tt.header + "\r\nthanks\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if m.AutoReason != tt.want || m.AutoReply != (tt.want != "") {
			t.Errorf("%q: AutoReply=%v AutoReason=%q, want %q", tt.header, m.AutoReply, m.AutoReason, tt.want)
		}
	}
	for _, tt := range []struct{ from, subject, want string }{
		{"postmaster@example.net", "x", "bounce (From: postmaster)"},
		{"noreply@github.example", "x", "From: noreply"},
		{"jane@example.org", "Automatic reply: [#1] x", "Subject: Automatic reply"},
		{"jane@example.org", "Auto: [#1] x", "Subject: Auto:"},
		{"jane@example.org", "Abwesenheitsnotiz: [#1] x", "Subject: Abwesenheitsnotiz"},
		{"jane@example.org", "=?UTF-8?Q?R=C3=A9ponse_automatique_:_[#1]?=", "Subject: Réponse automatique"},
		{"jane@example.org", "Re: Out of office policy question", ""},
		{"jane@example.org", "Re: [#1] Automation question", ""},
	} {
		m, err := Parse([]byte("From: " + tt.from + "\r\nSubject: " + tt.subject + "\r\n\r\nbody\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if m.AutoReason != tt.want {
			t.Errorf("From %s Subject %q: AutoReason=%q, want %q", tt.from, tt.subject, m.AutoReason, tt.want)
		}
	}
}

func TestStripQuoted(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Thanks, that works.", "Thanks, that works."},
		{"crlf and trailing blanks", "Line one\r\n\r\nLine two\r\n\r\n\r\n", "Line one\n\nLine two"},
		{"top post with quote", "Fixed.\n\n> old\n> text\n", "Fixed."},
		{"attribution", "Fixed.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Sam <s@example.com> wrote:\n> old\n", "Fixed."},
		{"attribution without quote lines", "Fixed.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Sam <s@example.com> wrote:\nold text not quoted\n", "Fixed."},
		{"wrapped attribution", "Fixed.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Helpline Support <\nsupport@help.example.com> wrote:\n\n> old\n", "Fixed."},
		{"french", "Merci.\n\nLe mar. 4 mars 2025 à 10:12, Sam <s@example.com> a écrit :\n> vieux\n", "Merci."},
		{"german", "Danke.\n\nAm Di., 4. März 2025 um 10:12 Uhr schrieb Sam <s@example.com>:\n> alt\n", "Danke."},
		{"spanish", "Gracias.\n\nEl mar, 4 mar 2025 a las 10:12, Sam (<s@example.com>) escribió:\n> viejo\n", "Gracias."},
		{"outlook original message", "Done.\n\n-----Original Message-----\nFrom: Sam\nSent: Tuesday\nTo: Jane\nSubject: x\n\nold", "Done."},
		{"outlook header block", "Done.\n\nFrom: Sam <s@example.com>\nSent: Tuesday, March 4, 2025 10:12 AM\nTo: Jane\nSubject: RE: x\n\nold", "Done."},
		{"outlook bold header block from html", "Done.\n\n*From:* Sam\n*Sent:* Tuesday\n*To:* Jane\n*Subject:* x\n\nold", "Done."},
		{"german outlook header block", "Erledigt.\n\nVon: Sam <s@example.com>\nGesendet: Dienstag, 4. März 2025 10:12\nAn: Jane\nBetreff: AW: x\n\nalt", "Erledigt."},
		{"underscore separator", "Done.\n\n________________________________\nFrom: Sam\nSent: Tuesday\nTo: Jane\nSubject: x\n\nold", "Done."},
		{"underscores without headers are text", "Sign here:\n\n____________________\n\nThanks", "Sign here:\n\n____________________\n\nThanks"},
		{"single From line is text", "From: the logs, I see\nnothing wrong.", "From: the logs, I see\nnothing wrong."},
		{"forward with note", "See below.\n\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Tue\nSubject: x\nTo: b@example.com\n\nforwarded body", "See below."},
		{"forward without note keeps everything", "---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Tue\nSubject: x\nTo: b@example.com\n\nforwarded body", "---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Tue\nSubject: x\nTo: b@example.com\n\nforwarded body"},
		{"apple forward with note", "FYI\n\nBegin forwarded message:\n\nFrom: A <a@example.com>\n", "FYI"},
		{"signature delimiter", "Works now.\n\n-- \nJane Doe\nACME", "Works now."},
		{"double dash without space is text", "Use the flag\n--\nlike that", "Use the flag\n--\nlike that"},
		{"iphone", "Yes.\n\nSent from my iPhone", "Yes."},
		{"android", "Yes.\n\nSent from my Android device\n", "Yes."},
		{"outlook mobile", "Yes.\n\nGet Outlook for iOS", "Yes."},
		{"mail for windows", "Yes.\n\nSent from Mail for Windows\n\nFrom: Sam\nSent: Tuesday\nTo: Jane\nSubject: x", "Yes."},
		{"mobile signature mid-text is kept", "Sent from my iPhone is what it says\nin the footer we add.", "Sent from my iPhone is what it says\nin the footer we add."},
		{"blank lines and code kept", "Repro:\n\n    x := 1\n\n    y := 2\n\nThanks\n\n> old", "Repro:\n\n    x := 1\n\n    y := 2\n\nThanks"},
		{"leading indentation kept", "\n\n    indented code first\nok", "    indented code first\nok"},
		{"bottom posting", "On Tue, Sam <s@example.com> wrote:\n> question?\n\nanswer.\n", "answer."},
		{"bottom posting with signature", "> question?\n\nanswer.\n\n-- \nJane", "answer."},
		{"inline", "Hi.\n\n> q1?\n\na1.\n\n> q2?\n\na2.\n\n> bye\n", "Hi.\n\n> q1?\n\na1.\n\n> q2?\n\na2."},
		{"inline without top text", "> q1?\n\na1.\n\n> q2?\n\na2.\n", "a1.\n\n> q2?\n\na2."},
		{"loose attribution only before quote", "Done.\n\n2025年3月6日(木) 18:00 Sam <s@example.com>:\n> old\n", "Done."},
		{"loose attribution without quote is text", "Please write to <ops@example.com>:\nthey handle it.", "Please write to <ops@example.com>:\nthey handle it."},
		{"only quote falls back to whole text", "> just the quote\n> again", "> just the quote\n> again"},
		{"only marker falls back", "-- \nJane Doe", "-- \nJane Doe"},
		{"only mobile signature falls back", "Sent from my iPhone", "Sent from my iPhone"},
		{"empty", "", ""},
		{"nested quotes", "ok\n\n>> older\n> old\n", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripQuoted(tt.in); got != tt.want {
				t.Errorf("StripQuoted(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"one \ntwo\n", false, "one two\n"},
		{"one \ntwo", true, "onetwo"},
		{"> quoted \n> more\n>\n> next", false, "> quoted more\n>\n> next"},
		{"para \n-- \nsig", false, "para \n-- \nsig"},
		{" From stuffed\n  indented", false, "From stuffed\n indented"},
		{"a \n> b", false, "a \n> b"},
	}
	for _, tt := range tests {
		if got := unflow(tt.in, tt.delsp); got != tt.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tt.in, tt.delsp, got, tt.want)
		}
	}
}

func TestCleanHTML(t *testing.T) {
	tests := []struct {
		name, in  string
		has, lack string
	}{
		{"gmail quote", `<div>new</div><div class="gmail_quote"><div class="gmail_attr">On x wrote:</div><blockquote>old</blockquote></div>`, "new", "old"},
		{"gmail signature", `<div>new</div><span class="gmail_signature_prefix">-- </span><div class="gmail_signature">Jane</div>`, "new", "Jane"},
		{"outlook reply header and following siblings", `<div>new</div><hr><div id="divRplyFwdMsg"><b>From:</b> Sam</div><div>old</div>`, "new", "old"},
		{"appendonsend", `<div>new</div><div id="appendonsend"></div><hr><div>old</div>`, "new", "old"},
		{"nothing to remove returns input", `<p>hello</p>`, `<p>hello</p>`, "<body>"},
	}
	for _, tt := range tests {
		got := cleanHTML(tt.in)
		if !strings.Contains(got, tt.has) || strings.Contains(got, tt.lack) {
			t.Errorf("%s: cleanHTML = %q; want it to contain %q and not %q", tt.name, got, tt.has, tt.lack)
		}
	}
}

func TestReplyToken(t *testing.T) {
	tests := []struct {
		addr, local, want string
		ok                bool
	}{
		{"support+abc123@help.example.com", "support", "abc123", true},
		{"Support+abc123@Help.Example.com", "support", "abc123", true},
		{"support+abc123@help.example.com", "SUPPORT", "abc123", true},
		{"Helpline <support+abc123@help.example.com>", "support", "abc123", true},
		{"  support+a.b-c_d@help.example.com ", "support", "a.b-c_d", true},
		{"support@help.example.com", "support", "", false},
		{"support+@help.example.com", "support", "", false},
		{"support-abc123@help.example.com", "support", "", false},
		{"supporters+abc@help.example.com", "support", "", false},
		{"help+abc@help.example.com", "support", "", false},
		{"support+abc123", "support", "", false},
		{"support+ab/c@help.example.com", "support", "", false},
		{"support+abc+def@help.example.com", "support", "", false},
		{"support+abc@help.example.com", "", "", false},
		{"", "support", "", false},
	}
	for _, tt := range tests {
		got, ok := ReplyToken(tt.addr, tt.local)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ReplyToken(%q, %q) = %q, %v; want %q, %v", tt.addr, tt.local, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTicketNumber(t *testing.T) {
	tests := []struct {
		subject string
		want    int64
		ok      bool
	}{
		{"Re: [#1042] Webhook deliveries failing", 1042, true},
		{"[#1]", 1, true},
		{"Fwd: Re: [#12] old [#1042] new", 1042, true},
		{"RE: AW: [#0042] leading zeros", 42, true},
		{"Ticket #1234 without brackets", 0, false},
		{"(#1234) parentheses", 0, false},
		{"[# 1234] space", 0, false},
		{"[#] empty", 0, false},
		{"[#0]", 0, false},
		{"[#99999999999999999999] overflow", 0, false},
		{"[#5] then overflow [#99999999999999999999]", 5, true},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := TicketNumber(tt.subject)
		if got != tt.want || ok != tt.ok {
			t.Errorf("TicketNumber(%q) = %d, %v; want %d, %v", tt.subject, got, ok, tt.want, tt.ok)
		}
	}
}

// BenchmarkParse parses a typical Gmail reply of about 20 KB: a short answer
// on top of a long quoted thread, as text/plain and text/html alternatives.
func BenchmarkParse(b *testing.B) {
	raw := gmailReply(20 << 10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func gmailReply(size int) []byte {
	var plain, html strings.Builder
	for i := 0; plain.Len()+html.Len() < size-1500; i++ {
		plain.WriteString("> Thanks for the details. We looked at the delivery log for the endpoint and\n> see 502 responses from your load balancer for about ten minutes.\n>\n")
		html.WriteString("<div>Thanks for the details. We looked at the delivery log for the endpoint and see 502 responses from your load balancer for about ten minutes.</div><br>")
	}
	return []byte("MIME-Version: 1.0\r\n" +
		"From: Jane Doe <jane.doe@example.org>\r\n" +
		"Date: Tue, 4 Mar 2025 11:03:27 +0100\r\n" +
		"Message-ID: <CAF3x9Kbench@mail.gmail.com>\r\n" +
		"In-Reply-To: <ticket-1042.n5@help.example.com>\r\n" +
		"References: <ticket-1042@help.example.com> <ticket-1042.n5@help.example.com>\r\n" +
		"Subject: Re: [#1042] Webhook deliveries failing with 502\r\n" +
		"To: Helpline Support <support+tok123@help.example.com>\r\n" +
		"Content-Type: multipart/alternative; boundary=\"0000000000bench\"\r\n\r\n" +
		"--0000000000bench\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n" +
		"Hi Sam,\n\nThat fixed it, thanks.\n\nJane\n\nOn Tue, Mar 4, 2025 at 10:12 AM Helpline Support <support@help.example.com> wrote:\n\n" +
		plain.String() +
		"\r\n--0000000000bench\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n" +
		"<div dir=\"ltr\">Hi Sam,<div><br></div><div>That fixed it, thanks.</div><div><br></div><div>Jane</div></div><br>" +
		"<div class=\"gmail_quote\"><blockquote class=\"gmail_quote\">" + html.String() + "</blockquote></div>" +
		"\r\n--0000000000bench--\r\n")
}
