package redact

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// gitleaksTOML is gitleaks' default rule set, copied unmodified from
// config/gitleaks.toml of github.com/zricethezav/gitleaks/v8 v8.30.1 (MIT,
// see LICENSE.gitleaks). To update, copy the file from a newer release and
// run the tests: the decoder rejects unknown fields, so a release that adds
// rule semantics this file does not implement fails loudly instead of
// silently matching differently.
//
// It is a copy rather than an import because the gitleaks module costs 64
// new go.mod requirements; see the package comment.
//
//go:embed gitleaks.toml
var gitleaksTOML []byte

// gitleaksRuleDisabled reports the upstream rules that do more harm than
// good on pasted support text.
func gitleaksRuleDisabled(id string) bool {
	switch id {
	case "heroku-api-key":
		// Matches any UUID within ~70 bytes after the word "heroku", so it
		// flags the request_id of every Heroku router log line. Our
		// heroku-api-key rule wants the UUID as the value of a Heroku key.
		return true
	case "generic-api-key":
		// Superseded by env-secret, which keeps the key name readable,
		// catches low-entropy passwords and costs a fraction: this regex
		// alone took 7 ms on a 10 KB log.
		return true
	}
	return false
}

// gitleaksFile mirrors the schema of gitleaks.toml. Fields we decode but do
// not use (description, tags, paths) are declared so DisallowUnknownFields
// only trips on genuinely new semantics.
type gitleaksFile struct {
	Title      string            `toml:"title"`
	MinVersion string            `toml:"minVersion"`
	Allowlist  gitleaksAllowlist `toml:"allowlist"`
	Rules      []struct {
		ID          string              `toml:"id"`
		Description string              `toml:"description"`
		Regex       string              `toml:"regex"`
		SecretGroup int                 `toml:"secretGroup"`
		Entropy     float64             `toml:"entropy"`
		Keywords    []string            `toml:"keywords"`
		Path        string              `toml:"path"`
		Tags        []string            `toml:"tags"`
		Allowlists  []gitleaksAllowlist `toml:"allowlists"`
	} `toml:"rules"`
}

type gitleaksAllowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
}

// allowlist is a compiled gitleaksAllowlist, reduced to what applies to
// pasted text: there is no file path or commit, so a path or commit check
// never passes.
type allowlist struct {
	and       bool
	target    string // "", "match" or "line"
	regexes   []*regexp.Regexp
	stopWords []string // lower case
	hasPaths  bool     // path or commit condition, which pasted text never meets
}

func compileAllowlist(a gitleaksAllowlist) (allowlist, error) {
	out := allowlist{
		and:      strings.EqualFold(a.Condition, "AND"),
		target:   a.RegexTarget,
		hasPaths: len(a.Paths) > 0 || len(a.Commits) > 0,
	}
	for _, s := range a.Regexes {
		re, err := regexp.Compile(s)
		if err != nil {
			return out, err
		}
		out.regexes = append(out.regexes, re)
	}
	for _, w := range a.StopWords {
		out.stopWords = append(out.stopWords, strings.ToLower(w))
	}
	return out, nil
}

// allows mirrors gitleaks' checkFindingAllowed for a fragment without path or
// commit.
func (a *allowlist) allows(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	regexOK := false
	for _, re := range a.regexes {
		if target != "" && re.MatchString(target) {
			regexOK = true
			break
		}
	}
	stopOK := false
	if len(a.stopWords) > 0 && secret != "" {
		low := strings.ToLower(secret)
		for _, w := range a.stopWords {
			if strings.Contains(low, w) {
				stopOK = true
				break
			}
		}
	}
	if !a.and {
		return regexOK || stopOK
	}
	if a.hasPaths {
		return false
	}
	checked := false
	if len(a.regexes) > 0 {
		checked = true
		if !regexOK {
			return false
		}
	}
	if len(a.stopWords) > 0 {
		checked = true
		if !stopOK {
			return false
		}
	}
	return checked
}

// loadGitleaksRules compiles the embedded rule set into regexRules that
// apply gitleaks' secret group, entropy and allowlist semantics.
func loadGitleaksRules() ([]regexRule, error) {
	var f gitleaksFile
	dec := toml.NewDecoder(bytes.NewReader(gitleaksTOML)).DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("gitleaks rules: %w", err)
	}
	global, err := compileAllowlist(f.Allowlist)
	if err != nil {
		return nil, fmt.Errorf("gitleaks global allowlist: %w", err)
	}
	var rules []regexRule
	for _, gr := range f.Rules {
		// Path rules look at file names; a paste has none, and gitleaks
		// itself skips them when the path does not match.
		if gr.Regex == "" || gr.Path != "" {
			continue
		}
		if gitleaksRuleDisabled(gr.ID) {
			continue
		}
		re, err := regexp.Compile(gr.Regex)
		if err != nil {
			return nil, fmt.Errorf("gitleaks rule %s: %w", gr.ID, err)
		}
		lists := []allowlist{global}
		for _, a := range gr.Allowlists {
			al, err := compileAllowlist(a)
			if err != nil {
				return nil, fmt.Errorf("gitleaks rule %s allowlist: %w", gr.ID, err)
			}
			lists = append(lists, al)
		}
		rules = append(rules, regexRule{
			kind:        gr.ID,
			re:          re,
			keywords:    gr.Keywords,
			priority:    prioGitleaks,
			secretGroup: gr.SecretGroup,
			entropy:     gr.Entropy,
			allowlists:  lists,
		})
	}
	return rules, nil
}

// shannonEntropy is gitleaks' measure, kept identical (per-rune counts
// divided by the byte length) so its thresholds mean the same here.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := make(map[rune]int, len(s))
	for _, r := range s {
		counts[r]++
	}
	inv := 1 / float64(len(s))
	e := 0.0
	for _, c := range counts {
		p := float64(c) * inv
		e -= p * math.Log2(p)
	}
	return e
}
