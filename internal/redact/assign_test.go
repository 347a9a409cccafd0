package redact

import (
	"slices"
	"testing"
)

func TestKeyWords(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"CLIENT_SECRET", []string{"client", "secret"}},
		{"clientSecret", []string{"client", "secret"}},
		{"APIKey", []string{"api", "key"}},
		{"X-Api-Key", []string{"x", "api", "key"}},
		{"spring.datasource.password", []string{"spring", "datasource", "password"}},
		{"--db-password", []string{"db", "password"}},
		{"OAuth2Token", []string{"o", "auth2", "token"}},
	}
	for _, tt := range tests {
		if got := keyWords(tt.key); !slices.Equal(got, tt.want) {
			t.Errorf("keyWords(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestClassifyKey(t *testing.T) {
	tests := []struct {
		key  string
		want keyRole
	}{
		{"DATABASE_PASSWORD", roleSecret},
		{"DB_PASS", roleSecret},
		{"MYSQL_PWD", roleSecret},
		{"client_secret", roleSecret},
		{"SECRET_KEY_BASE", roleSecret},
		{"AWS_SECRET_ACCESS_KEY", roleSecret},
		{"GITHUB_TOKEN", roleSecret},
		{"apiKey", roleSecret},
		{"X-API-Key", roleSecret},
		{"private_key", roleSecret},
		{"GOOGLE_CREDENTIALS", roleSecret},
		{"BASIC_AUTH", roleSecret},
		{"auth", roleSecret},
		{"HEROKU_API_KEY", roleSecret | roleHeroku},
		{"HEROKU_KEY", roleHeroku},
		// Settings about secrets, not secrets.
		{"PASSWORD_MIN_LENGTH", 0},
		{"TOKEN_TTL", 0},
		{"SESSION_SECRET_FILE", 0},
		{"AWS_ACCESS_KEY_ID", 0},
		{"auth_method", 0},
		{"token_type", 0},
		{"max_tokens", 0},
		{"HEROKU_APP_ID", 0},
		{"HEROKU_APP_NAME", 0},
		// Not about secrets at all.
		{"PWD", 0},
		{"author", 0},
		{"authorization", 0},
		{"keyboard", 0},
		{"tokenizer", 0},
		{"request_id", 0},
	}
	for _, tt := range tests {
		if got := classifyKey(tt.key); got != tt.want {
			t.Errorf("classifyKey(%q) = %b, want %b", tt.key, got, tt.want)
		}
	}
}
