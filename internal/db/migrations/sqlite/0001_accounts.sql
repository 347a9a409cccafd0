-- Accounts: organizations, users, memberships, apps, sessions, API tokens,
-- password resets, sign-in throttling, the audit log and instance settings.
CREATE TABLE organizations (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	plan TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	staff_role TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_staff_role_idx ON users (staff_role) WHERE staff_role <> '';

CREATE TABLE memberships (
	org_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE apps (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name TEXT NOT NULL UNIQUE,
	region TEXT NOT NULL,
	stack TEXT NOT NULL,
	addons TEXT NOT NULL DEFAULT '[]',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX apps_org_idx ON apps (org_id, name);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	prefix TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at);

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	used_at TIMESTAMP
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

CREATE TABLE signin_failures (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL,
	ip TEXT NOT NULL,
	at TIMESTAMP NOT NULL
);
CREATE INDEX signin_failures_email_idx ON signin_failures (email, at);
CREATE INDEX signin_failures_ip_idx ON signin_failures (ip, at);

CREATE TABLE audit_events (
	id INTEGER PRIMARY KEY,
	at TIMESTAMP NOT NULL,
	actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	actor_email TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	target_type TEXT NOT NULL DEFAULT '',
	target_id TEXT NOT NULL DEFAULT '',
	details TEXT NOT NULL DEFAULT '{}',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id, at DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, at DESC);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
