// Package mailin turns raw inbound email (replies to ticket notifications)
// into what threading and commenting need: addresses, thread IDs, the
// customer's own words without quoted history, attachments, and whether the
// message is an automatic one we must neither answer nor store as a reply.
//
// Everything here is a pure function of the raw bytes; receiving the mail
// (SMTP, IMAP) and matching it to a ticket live elsewhere.
package mailin

import (
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Message is an inbound email reduced to what threading and commenting need.
type Message struct {
	MessageID   string   // without angle brackets
	InReplyTo   []string // message IDs without brackets
	References  []string
	From        string // lower-cased address only
	FromName    string
	To          []string // lower-cased addresses from To, Cc and Delivered-To/X-Original-To
	Subject     string
	Text        string       // the text/plain body, or text converted from HTML when there is none; UTF-8, "\n" line ends
	Reply       string       // Text with quoted history and signatures removed, trimmed; what becomes the comment
	Attachments []Attachment // regular and inline attachments (not the text/html bodies)
	AutoReply   bool         // an automatic message we must not answer or store as a reply
	AutoReason  string       // why, e.g. "Auto-Submitted: auto-replied", "bounce (multipart/report)"
}

// Attachment is one file carried by a message. Inline is true for parts shown
// inside the body (Content-Disposition: inline, or a Content-ID image in
// multipart/related), so the comment renderer can place them or list them.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
	Inline      bool
}

// ErrEmpty is returned by Parse when the input holds neither headers we can
// read nor any body text.
var ErrEmpty = errors.New("mailin: message has no usable headers or text")

// Parse reads a raw RFC 5322 message. It is lenient by design: broken MIME,
// missing headers and undeclared charsets still yield whatever text can be
// recovered, because losing a customer's reply is worse than a rough one.
// It returns an error only when nothing usable is left.
func Parse(raw []byte) (Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Message{}, ErrEmpty
	}
	env, ok := readEnvelope(raw)

	var (
		hdr    textproto.MIMEHeader
		ctype  string
		text   string
		attach []Attachment
	)
	if ok {
		hdr = env.Root.Header
		ctype = env.Root.ContentType
		text = env.Text
		attach = attachments(env)
	} else {
		// enmime could not make sense of it; fall back to the standard
		// library's header parser and treat the rest as plain text.
		hdr, text = splitPlain(raw)
		ctype, _, _ = mime.ParseMediaType(hdr.Get("Content-Type"))
	}
	if strings.TrimSpace(text) == "" && len(attach) == 0 && (!ok || !hasBody(env.Root)) {
		// A broken boundary hides every part; dig the text out by hand.
		text = salvageText(raw)
	}

	m := Message{
		MessageID:   firstID(header(hdr, "Message-Id")),
		InReplyTo:   messageIDs(header(hdr, "In-Reply-To")),
		References:  messageIDs(header(hdr, "References")),
		Subject:     collapseSpace(enmime.DecodeRFC2047(header(hdr, "Subject"))),
		Text:        cleanText(text),
		Attachments: attach,
	}
	if from := addresses(headerValues(hdr, "From")); len(from) > 0 {
		m.From, m.FromName = from[0].addr, from[0].name
	}
	var to []string
	for _, name := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
		for _, a := range addresses(headerValues(hdr, name)) {
			to = appendUnique(to, a.addr)
		}
	}
	m.To = to
	m.Reply = StripQuoted(m.Text)
	m.AutoReply, m.AutoReason = autoReply(hdr, ctype, m.From, m.Subject)

	if len(hdr) == 0 && strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
		return Message{}, ErrEmpty
	}
	return m, nil
}

// readEnvelope runs enmime with its most forgiving options. enmime is
// third-party code fed with attacker-controlled bytes, so a panic inside it
// is turned into "not parsed" and the plain fallback takes over.
func readEnvelope(raw []byte) (env *enmime.Envelope, ok bool) {
	defer func() {
		if recover() != nil {
			env, ok = nil, false
		}
	}()
	// Charset detection stays on (enmime's default) although it is most of
	// the parse time: mail that declares one charset and carries another is
	// common enough that trusting labels would garble replies, and inbound
	// support mail is far too rare for ~2 ms a message to matter.
	p := enmime.NewParser(
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	)
	root, err := p.ReadParts(bytes.NewReader(raw))
	if err != nil || root == nil {
		return nil, false
	}
	var htmlPart *enmime.Part
	var original []byte
	if !hasPlainBody(root) {
		// enmime converts HTML to text only when there is no text/plain
		// part; drop the quoted history from that HTML first, because once
		// flattened, Gmail's and Outlook's quote containers are invisible.
		if htmlPart = root.DepthMatchFirst(isHTMLBody); htmlPart != nil {
			original = htmlPart.Content
			htmlPart.Content = []byte(cleanHTML(string(original)))
		}
	}
	env, err = p.EnvelopeFromPart(root)
	if err != nil || env == nil {
		return nil, false
	}
	if htmlPart != nil && strings.TrimSpace(env.Text) == "" && len(original) != len(htmlPart.Content) {
		// Everything sat inside a quote container (someone typed into the
		// quote); the whole HTML is better than nothing.
		htmlPart.Content = original
		if env, err = p.EnvelopeFromPart(root); err != nil || env == nil {
			return nil, false
		}
	}
	if htmlPart != nil {
		// Text made from HTML: &nbsp; is layout, not content.
		env.Text = strings.ReplaceAll(env.Text, "\u00a0", " ")
	}
	// enmime leaves format=flowed alone (and does not fill ContentTypeParams
	// when parsing), so read the parameters from the header ourselves.
	if part := root.DepthMatchFirst(isPlainBody); part != nil && env.Text == string(part.Content) {
		if _, params, err := mime.ParseMediaType(part.Header.Get("Content-Type")); err == nil &&
			strings.EqualFold(params["format"], "flowed") {
			env.Text = unflow(env.Text, strings.EqualFold(params["delsp"], "yes"))
		}
	}
	return env, true
}

func isPlainBody(p *enmime.Part) bool {
	return p.ContentType == "text/plain" && p.Disposition != "attachment" && p.FileName == ""
}

func isHTMLBody(p *enmime.Part) bool {
	return p.ContentType == "text/html" && p.Disposition != "attachment"
}

// hasBody reports whether enmime found any text part at all, as opposed to
// a multipart whose boundary never matched.
func hasBody(root *enmime.Part) bool {
	if root.FirstChild == nil && !strings.HasPrefix(root.ContentType, "multipart/") {
		return true // a single part, even an empty one, is the body
	}
	return root.DepthMatchFirst(func(p *enmime.Part) bool { return isPlainBody(p) || isHTMLBody(p) }) != nil
}

func hasPlainBody(root *enmime.Part) bool {
	// A single-part message with no Content-Type is text/plain by RFC 2045.
	if root.FirstChild == nil && (root.ContentType == "" || root.ContentType == "text/plain") {
		return true
	}
	return root.DepthMatchFirst(isPlainBody) != nil
}

// attachments collects files from the three lists enmime sorts parts into.
// OtherParts matters for Outlook and Apple Mail, which put inline images in
// multipart/related with a Content-ID but no Content-Disposition.
func attachments(env *enmime.Envelope) []Attachment {
	var out []Attachment
	seen := map[*enmime.Part]bool{}
	add := func(p *enmime.Part) {
		if seen[p] || strings.HasPrefix(p.ContentType, "multipart/") {
			return
		}
		seen[p] = true
		if (isPlainBody(p) || isHTMLBody(p)) && p.Disposition != "attachment" && p.FileName == "" {
			return // a body part, not a file
		}
		out = append(out, Attachment{
			Filename:    p.FileName,
			ContentType: p.ContentType,
			Data:        p.Content,
			Inline:      p.Disposition == "inline" || (p.Disposition == "" && p.ContentID != ""),
		})
	}
	for _, p := range env.Attachments {
		add(p)
	}
	for _, p := range env.Inlines {
		add(p)
	}
	for _, p := range env.OtherParts {
		// Delivery reports and similar machine parts have neither a name
		// nor a Content-ID; they are not files the customer sent.
		if p.ContentID != "" || p.FileName != "" {
			add(p)
		}
	}
	return out
}

// splitPlain is the fallback when MIME parsing fails: standard-library headers
// if they parse, and the remaining bytes as text.
func splitPlain(raw []byte) (textproto.MIMEHeader, string) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return textproto.MIMEHeader{}, string(raw)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(msg.Body)
	return textproto.MIMEHeader(msg.Header), body.String()
}

// salvageText recovers the body of a message whose MIME structure is broken
// (typically a boundary that never appears). It takes the first section that
// declares itself text/plain and decodes it on its own; failing that, the
// whole body after the header block.
func salvageText(raw []byte) string {
	body := raw
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(sep)); i >= 0 {
			body = raw[i+len(sep):]
			break
		}
	}
	lines := strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(strings.ToLower(l), "content-type: text/plain") {
			continue
		}
		// Read this section's headers and content up to the next boundary-looking line.
		var sect []string
		for _, s := range lines[i:] {
			if strings.HasPrefix(s, "--") && len(sect) > 0 && !strings.HasPrefix(s, "-- ") {
				break
			}
			sect = append(sect, s)
		}
		if part, err := enmime.NewParser().ReadParts(strings.NewReader(strings.Join(sect, "\r\n"))); err == nil && part != nil && len(part.Content) > 0 {
			return string(part.Content)
		}
		break
	}
	var keep []string
	for _, l := range lines {
		// Drop lines that are MIME scaffolding rather than anyone's words.
		if strings.HasPrefix(l, "--") && !strings.HasPrefix(l, "-- ") && !strings.Contains(l, " ") && len(l) > 10 {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")
	return s
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// header returns the first value of a header, matched case-insensitively so
// that "Message-ID" and "Message-Id" spellings both work.
func header(h textproto.MIMEHeader, name string) string {
	if v := headerValues(h, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

func headerValues(h textproto.MIMEHeader, name string) []string {
	if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

var idPattern = regexp.MustCompile(`<([^<>]*)>`)

// messageIDs extracts every <id> in a header. Values without brackets (some
// broken clients) are accepted as whitespace-separated tokens containing "@".
func messageIDs(v string) []string {
	var ids []string
	matches := idPattern.FindAllStringSubmatch(v, -1)
	for _, m := range matches {
		if id := strings.Join(strings.Fields(m[1]), ""); id != "" {
			ids = appendUnique(ids, id)
		}
	}
	if len(matches) == 0 {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
			if strings.Contains(f, "@") {
				ids = appendUnique(ids, f)
			}
		}
	}
	return ids
}

func firstID(v string) string {
	if ids := messageIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return strings.Trim(strings.TrimSpace(v), "<>")
}

type address struct{ addr, name string }

var addrPattern = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// addresses parses address headers; when a header is malformed it still
// picks out anything shaped like an address, since a broken To: line is
// exactly where a reply token may hide.
func addresses(values []string) []address {
	var out []address
	for _, v := range values {
		list, err := enmime.ParseAddressList(v)
		if err == nil {
			for _, a := range list {
				if a.Address != "" {
					out = append(out, address{strings.ToLower(a.Address), strings.TrimSpace(a.Name)})
				}
			}
			continue
		}
		for _, a := range addrPattern.FindAllString(enmime.DecodeRFC2047(v), -1) {
			out = append(out, address{strings.ToLower(a), ""})
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// autoReplySubject matches subjects of vacation and out-of-office replies in
// the languages our customers' mail servers most often use.
var autoReplySubject = regexp.MustCompile(`(?i)^\s*(automatic reply|auto:|out of (the )?office|autosvar|automatisk svar|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|risposta automatica)`)

// autoReply decides whether a message was sent by a machine rather than a
// person replying, checking the most specific evidence first so the reason
// names it. X-Auto-Response-Suppress counts only with All or OOF: Exchange
// stamps those on its own automatic replies, while people set narrower values
// (DR, RN, NRN: suppress receipts) on ordinary mail.
func autoReply(h textproto.MIMEHeader, ctype, from, subject string) (bool, string) {
	if ctype == "multipart/report" {
		return true, "bounce (multipart/report)"
	}
	if header(h, "X-Failed-Recipients") != "" {
		return true, "bounce (X-Failed-Recipients)"
	}
	local := from
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		local = from[:i]
	}
	switch local {
	case "mailer-daemon", "postmaster":
		return true, "bounce (From: " + local + ")"
	}
	if v := strings.TrimSpace(header(h, "Auto-Submitted")); v != "" && !strings.EqualFold(firstToken(v), "no") {
		return true, "Auto-Submitted: " + v
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond"} {
		if v := strings.TrimSpace(header(h, name)); v != "" && !strings.EqualFold(v, "no") {
			return true, name + ": " + v
		}
	}
	if v := header(h, "X-Auto-Response-Suppress"); v != "" {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if strings.EqualFold(f, "All") || strings.EqualFold(f, "OOF") {
				return true, "X-Auto-Response-Suppress: " + strings.TrimSpace(v)
			}
		}
	}
	switch p := strings.ToLower(strings.TrimSpace(header(h, "Precedence"))); p {
	case "bulk", "junk", "auto_reply", "list":
		return true, "Precedence: " + p
	}
	if rp := headerValues(h, "Return-Path"); len(rp) > 0 && strings.Join(strings.Fields(rp[0]), "") == "<>" {
		return true, "Return-Path: <>"
	}
	switch local {
	case "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply":
		return true, "From: " + local
	}
	if m := autoReplySubject.FindString(subject); m != "" {
		return true, "Subject: " + strings.TrimSpace(m)
	}
	return false, ""
}

func firstToken(v string) string {
	if f := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ';' || r == '(' || r == '\t' }); len(f) > 0 {
		return f[0]
	}
	return ""
}

// cleanHTML removes the quoted-history containers mail clients wrap around
// earlier messages: Gmail's gmail_quote, Outlook's divRplyFwdMsg header block
// (and the quoted body that follows it as siblings), the appendonsend marker
// Outlook puts before all of it, and signature containers. Input it cannot
// parse, or input with nothing to remove, is returned unchanged so charset
// handling downstream sees the original bytes.
func cleanHTML(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return src
	}
	var doomed []*html.Node
	changed := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			id, class := attr(c, "id"), " "+attr(c, "class")+" "
			switch {
			case c.DataAtom == atom.Pre:
				// The converter strips one space after every newline, which
				// shifts indented code; a no-break space survives it and is
				// turned back into a space after conversion.
				changed = protectIndent(c) || changed
			case id == "appendonsend" || id == "divRplyFwdMsg" || id == "mail-editor-reference-message-container":
				// Everything from here to the end of the container is the
				// previous message.
				for s := c; s != nil; s = s.NextSibling {
					doomed = append(doomed, s)
				}
				return
			case c.DataAtom == atom.Div && (strings.Contains(class, " gmail_quote ") || strings.Contains(class, " gmail_quote_container ") ||
				strings.Contains(class, " gmail_signature ") || strings.Contains(class, " moz-signature ") ||
				strings.Contains(class, " yahoo_quoted ") || id == "Signature"),
				c.DataAtom == atom.Span && strings.Contains(class, " gmail_signature_prefix "):
				doomed = append(doomed, c)
			default:
				walk(c)
			}
		}
	}
	walk(doc)
	if len(doomed) == 0 && !changed {
		return src
	}
	for _, n := range doomed {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	var b strings.Builder
	if err := html.Render(&b, doc); err != nil {
		return src
	}
	return b.String()
}

func protectIndent(n *html.Node) bool {
	changed := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode && strings.Contains(c.Data, "\n ") {
			c.Data = strings.ReplaceAll(c.Data, "\n ", "\n\u00a0")
			changed = true
		}
		changed = protectIndent(c) || changed
	}
	return changed
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// unflow decodes RFC 3676 format=flowed text: lines ending in a space are
// soft breaks, leading ">" count the quote depth, and a leading space is
// stuffing. Without this, Thunderbird's paragraphs arrive chopped at 72
// columns and the signature delimiter test would see stuffed lines.
func unflow(text string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		if !open {
			return
		}
		prefix := ""
		if curDepth > 0 {
			prefix = strings.Repeat(">", curDepth) + " "
		}
		out = append(out, prefix+cur.String())
		cur.Reset()
		open = false
	}
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := l[depth:]
		content = strings.TrimPrefix(content, " ")
		// A quote-depth change or the signature delimiter ends a paragraph.
		if open && (depth != curDepth || content == "-- ") {
			flush()
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		curDepth, open = depth, true
		if !flowed {
			if depth > 0 && cur.Len() == 0 {
				out = append(out, strings.Repeat(">", depth))
				cur.Reset()
				open = false
				continue
			}
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// Patterns for StripQuoted. They are compiled once and only ever read.
var (
	// The first line of an attribution ("On …, X wrote:") in the languages
	// support mail arrives in; used to join attributions wrapped over two lines.
	attributionStart = regexp.MustCompile(`^\s*(On|Le|Am|El|Op|Il|Em|Den|W dniu)\s`)
	attribution      = regexp.MustCompile(`(?i)^\s*(` +
		`on\s.+\swrote\s?:` +
		`|le\s.+\sa\sécrit\s?:` +
		`|am\s.+\sschrieb\b.*:` +
		`|el\s.+\sescribió\s?:` +
		`|op\s.+\sschreef\b.*:` +
		`|il\s.+\sha\sscritto\s?:` +
		`|em\s.+\sescreveu\s?:` +
		`|den\s.+\sskrev\b.*:` +
		`|.*@\S+>?\s+(wrote|a écrit|schrieb|escribió)\s?:` +
		`)\s*$`)
	// Gmail in Japanese, Chinese, Russian and others writes "<date> <name>
	// <address>:" with no verb; trusted only when ">" lines follow.
	looseAttribution = regexp.MustCompile(`<[^<>\s]+@[^<>\s]+>\)?\s*:\s*$`)
	originalMessage  = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}\s*$`)
	forwardedMessage = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}|begin forwarded message:)\s*$`)
	headerFrom       = regexp.MustCompile(`(?i)^\s*\*?(from|von|de|van|da)\s?:\*?\s*\S`)
	headerSent       = regexp.MustCompile(`(?i)^\s*\*?(sent|date|gesendet|datum|envoyé|date d'envoi|enviado|fecha|verzonden|inviato)\s?:`)
	headerTo         = regexp.MustCompile(`(?i)^\s*\*?(to|an|à|a|para|aan|subject|betreff|objet|asunto|onderwerp|oggetto|cc)\s?:`)
	underscores      = regexp.MustCompile(`^\s*_{10,}\s*$`)
	mobileSignature  = regexp.MustCompile(`(?i)^\s*(sent from my \S.*|sent from (mail|outlook) for (windows|ios|android).*|get outlook for (ios|android).*|sent from (yahoo mail|proton mail|protonmail).*|envoyé de mon \S.*|von meinem \S.* gesendet\.?|enviado desde mi \S.*)\s*$`)
)

type lineKind int

const (
	kindBlank lineKind = iota
	kindText
	kindQuote       // starts with ">"
	kindAttribution // "On … wrote:" (one or two lines) introducing ">" lines
	kindMobileSig
)

// StripQuoted returns the part of an email body that the sender wrote in this
// message: quoted history, reply headers and signatures are removed, the
// customer's own text (code blocks and blank lines included) is kept intact.
//
// Rules, in order:
//   - Hard markers end the reply: "-----Original Message-----", an Outlook
//     From:/Sent:/To: header block (or the "_____" line above one), an
//     attribution not followed by ">" lines, the "-- " signature delimiter,
//     and a forwarded-message marker. A forwarded-message marker with no text
//     above it is a plain forward: the forwarded content is what the customer
//     wants us to read, so the text is returned whole.
//   - ">" lines and the attribution introducing them are dropped when they
//     come after everything the customer wrote (top posting) or before it
//     (bottom posting). Quoted lines between two pieces of the customer's
//     text are an inline reply; those are kept, because answers such as
//     "eu-west-1." mean nothing without the question they answer.
//   - Phone and app signatures ("Sent from my iPhone") at the end are dropped.
//
// If that leaves nothing, the text with only quoted lines removed is
// returned, and if that is empty too, the whole text: a comment that repeats
// history is better than losing a message.
func StripQuoted(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	kinds := classify(lines)

	cut := len(lines)
	for i := range lines {
		if kinds[i] == kindQuote || kinds[i] == kindAttribution {
			continue
		}
		switch hardMarker(lines, kinds, i) {
		case markerNone:
			continue
		case markerForward:
			if !hasText(kinds[:i]) {
				return trimBlock(lines)
			}
		}
		cut = i
		break
	}

	if out := trimBlock(trimMobileSignature(dropQuotes(lines[:cut], kinds[:cut]))); out != "" {
		return out
	}
	var unquoted []string
	for i, l := range lines {
		if kinds[i] != kindQuote && kinds[i] != kindAttribution {
			unquoted = append(unquoted, l)
		}
	}
	if out := trimBlock(trimMobileSignature(unquoted)); out != "" {
		return out
	}
	return trimBlock(lines)
}

func classify(lines []string) []lineKind {
	kinds := make([]lineKind, len(lines))
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l) == "":
			kinds[i] = kindBlank
		case strings.HasPrefix(l, ">"):
			kinds[i] = kindQuote
		case mobileSignature.MatchString(l):
			kinds[i] = kindMobileSig
		default:
			kinds[i] = kindText
		}
	}
	// Attributions count as quote markers only when ">" lines follow them;
	// otherwise hardMarker treats them as the start of unquoted history.
	for i := 0; i < len(lines); i++ {
		if kinds[i] != kindText {
			continue
		}
		n := attributionLines(lines, i)
		if n == 0 && len(lines[i]) < 400 && looseAttribution.MatchString(lines[i]) {
			n = 1
		}
		if n == 0 {
			continue
		}
		j := i + n
		for j < len(lines) && kinds[j] == kindBlank {
			j++
		}
		if j < len(lines) && kinds[j] == kindQuote {
			for k := i; k < i+n; k++ {
				kinds[k] = kindAttribution
			}
			i += n - 1
		}
	}
	return kinds
}

// attributionLines reports how many lines (0, 1 or 2) starting at i form an
// "On … wrote:" line; clients wrap long ones, often inside the <address>.
func attributionLines(lines []string, i int) int {
	l := lines[i]
	if len(l) > 400 {
		return 0
	}
	if attribution.MatchString(l) {
		return 1
	}
	if i+1 < len(lines) && attributionStart.MatchString(l) && strings.TrimSpace(lines[i+1]) != "" &&
		len(lines[i+1]) < 200 && attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])) {
		return 2
	}
	return 0
}

type marker int

const (
	markerNone marker = iota
	markerCut
	markerForward
)

func hardMarker(lines []string, kinds []lineKind, i int) marker {
	l := lines[i]
	switch {
	case l == "-- ":
		return markerCut
	case forwardedMessage.MatchString(l):
		return markerForward
	case originalMessage.MatchString(l):
		return markerCut
	case underscores.MatchString(l):
		j := i + 1
		for j < len(lines) && kinds[j] == kindBlank {
			j++
		}
		if j < len(lines) && isHeaderBlock(lines, j) {
			return markerCut
		}
	case isHeaderBlock(lines, i):
		return markerCut
	case kinds[i] == kindText && attributionLines(lines, i) > 0:
		return markerCut
	}
	return markerNone
}

// isHeaderBlock recognises the From:/Sent:/To:/Subject: block Outlook and
// others put above a quoted message: a From line with a date line and a
// recipient or subject line among the next few.
func isHeaderBlock(lines []string, i int) bool {
	if !headerFrom.MatchString(lines[i]) {
		return false
	}
	var sent, to bool
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		sent = sent || headerSent.MatchString(lines[j])
		to = to || headerTo.MatchString(lines[j])
	}
	return sent && to
}

// dropQuotes removes attributions and the quoted lines that come before the
// customer's first line or after their last one; quoted lines between two
// of the customer's lines stay (an inline reply).
func dropQuotes(lines []string, kinds []lineKind) []string {
	first, last := -1, -1
	for i, k := range kinds {
		if k == kindText {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var out []string
	removed := false
	for i, l := range lines {
		drop := kinds[i] == kindAttribution ||
			(kinds[i] == kindQuote && (first < 0 || i < first || i > last))
		if drop {
			removed = true
			continue
		}
		// Where a quote was cut out, don't leave two blank lines behind.
		if kinds[i] == kindBlank && removed && len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
			continue
		}
		if kinds[i] != kindBlank {
			removed = false
		}
		out = append(out, l)
	}
	return out
}

func trimMobileSignature(lines []string) []string {
	for {
		end := len(lines)
		for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		if end == 0 || !mobileSignature.MatchString(lines[end-1]) {
			return lines[:end]
		}
		lines = lines[:end-1]
	}
}

func hasText(kinds []lineKind) bool {
	for _, k := range kinds {
		if k == kindText {
			return true
		}
	}
	return false
}

// trimBlock drops leading and trailing blank lines and trailing spaces, but
// keeps the first line's indentation (it may be code).
func trimBlock(lines []string) string {
	start, end := 0, len(lines)
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return strings.TrimRightFunc(strings.Join(lines[start:end], "\n"), isSpace)
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// ReplyToken extracts the token from a plus-addressed reply address:
// ReplyToken("Support+abc123@help.example.com", "support") is "abc123", true.
// The local part is compared case-insensitively (mail systems and people
// change case); the token is returned as written. Tokens are limited to
// letters, digits, "-", "_" and ".", which is all we ever issue, so anything
// else is not ours. The domain is the caller's to check.
func ReplyToken(addr, localPart string) (string, bool) {
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndexByte(addr, '<'); i >= 0 {
		addr = strings.TrimSuffix(addr[i+1:], ">")
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || localPart == "" {
		return "", false
	}
	local := addr[:at]
	n := len(localPart)
	if len(local) < n+2 || !strings.EqualFold(local[:n], localPart) || local[n] != '+' {
		return "", false
	}
	tok := local[n+1:]
	for _, r := range tok {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", false
		}
	}
	return tok, true
}

var ticketTag = regexp.MustCompile(`\[#(\d{1,18})\]`)

// TicketNumber finds the "[#1234]" tag our notifications put in subjects. The
// last tag wins: when a customer forwards or re-uses an old thread, their
// client appends to the subject, and the newest tag is the rightmost.
func TicketNumber(subject string) (int64, bool) {
	m := ticketTag.FindAllStringSubmatch(subject, -1)
	for i := len(m) - 1; i >= 0; i-- {
		if n, err := strconv.ParseInt(m[i][1], 10, 64); err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}
