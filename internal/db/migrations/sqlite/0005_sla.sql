-- SLAs: business-hours calendars, a policy per plan and priority, each
-- ticket's targets (one row per clock that ran) and the pauses that stopped
-- its clocks while it waited on the customer or was on hold.
CREATE TABLE sla_calendars (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	time_zone TEXT NOT NULL,
	-- JSON: seven lists of spans, Sunday first, e.g. [[],[["09:00","17:00"]],…]
	hours TEXT NOT NULL,
	-- JSON: ["2026-12-25", …]
	holidays TEXT NOT NULL DEFAULT '[]',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sla_policies (
	plan TEXT NOT NULL,
	priority TEXT NOT NULL,
	-- Minutes of calendar time; NULL means no target.
	first_response_minutes INTEGER,
	next_response_minutes INTEGER,
	resolution_minutes INTEGER,
	-- NULL means around the clock (24x7).
	calendar_id INTEGER REFERENCES sla_calendars (id) ON DELETE RESTRICT,
	-- How long before a breach the warning goes out.
	warn_minutes INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (plan, priority)
);

CREATE TABLE ticket_sla_targets (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	metric TEXT NOT NULL, -- first_response, next_response, resolution
	-- The policy as it was when the clock started, so later edits do not
	-- rewrite history.
	plan TEXT NOT NULL,
	priority TEXT NOT NULL,
	target_minutes INTEGER NOT NULL,
	calendar_id INTEGER REFERENCES sla_calendars (id) ON DELETE SET NULL,
	warn_minutes INTEGER NOT NULL,
	started_at TIMESTAMP NOT NULL,
	-- NULL while the clock is paused.
	due_at TIMESTAMP,
	warn_at TIMESTAMP,
	state TEXT NOT NULL, -- running, met, cancelled
	reason TEXT NOT NULL, -- why the clock started: created, priority_changed, appeal_overturned, customer_replied
	end_reason TEXT NOT NULL DEFAULT '',
	warned_at TIMESTAMP,
	breached_at TIMESTAMP,
	met_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX ticket_sla_targets_running_idx ON ticket_sla_targets (ticket_id, metric) WHERE state = 'running';
CREATE INDEX ticket_sla_targets_ticket_idx ON ticket_sla_targets (ticket_id, id);
CREATE INDEX ticket_sla_targets_breach_idx ON ticket_sla_targets (due_at) WHERE state = 'running' AND breached_at IS NULL;
CREATE INDEX ticket_sla_targets_warn_idx ON ticket_sla_targets (warn_at) WHERE state = 'running' AND warned_at IS NULL;
CREATE INDEX ticket_sla_targets_report_idx ON ticket_sla_targets (started_at, plan, priority, metric);
CREATE INDEX ticket_sla_targets_calendar_idx ON ticket_sla_targets (calendar_id, id) WHERE state = 'running';

CREATE TABLE ticket_sla_pauses (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	started_at TIMESTAMP NOT NULL,
	ended_at TIMESTAMP
);
CREATE INDEX ticket_sla_pauses_ticket_idx ON ticket_sla_pauses (ticket_id, started_at);

-- The earliest due time of the ticket's running clocks (NULL when none runs),
-- for the queue, and when support first answered, for reporting.
ALTER TABLE tickets ADD COLUMN sla_due_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN first_response_at TIMESTAMP;

-- The queue orders by plan, priority, then due time (tickets without a
-- running clock last), then age. "sla_due_at IS NULL" is spelled the same
-- in the queries so both databases read these indexes in order.
DROP INDEX tickets_queue_idx;
DROP INDEX tickets_status_queue_idx;
DROP INDEX tickets_assignee_queue_idx;
CREATE INDEX tickets_queue_idx ON tickets (plan_rank, priority_rank, (sla_due_at IS NULL), sla_due_at, created_at, id) WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_status_queue_idx ON tickets (status, plan_rank, priority_rank, (sla_due_at IS NULL), sla_due_at, created_at, id);
CREATE INDEX tickets_assignee_queue_idx ON tickets (assignee_id, plan_rank, priority_rank, (sla_due_at IS NULL), sla_due_at, created_at, id);
CREATE INDEX tickets_first_response_idx ON tickets (created_at) WHERE first_response_at IS NOT NULL;

-- Defaults a fresh install starts with; admins edit them under Admin → SLA
-- policies. Premier and Legacy Enterprise answer around the clock (urgent:
-- one hour); Enterprise a little slower, around the clock for urgent and
-- high; Standard and Free count business hours only, Free with long targets
-- or none. The default calendar is Monday to Friday, 09:00–18:00 New York
-- time, without holidays: edit it to the team's own.
INSERT INTO sla_calendars (name, time_zone, hours, holidays, created_at, updated_at) VALUES
	('Business hours', 'America/New_York', '[[],[["09:00","18:00"]],[["09:00","18:00"]],[["09:00","18:00"]],[["09:00","18:00"]],[["09:00","18:00"]],[]]', '[]', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00');
INSERT INTO sla_policies (plan, priority, first_response_minutes, next_response_minutes, resolution_minutes, calendar_id, warn_minutes, updated_at) VALUES
	('premier', 'urgent', 60, 120, 1440, NULL, 15, '2026-01-01 00:00:00+00:00'),
	('premier', 'high', 120, 240, 2880, NULL, 30, '2026-01-01 00:00:00+00:00'),
	('premier', 'normal', 480, 960, 7200, NULL, 60, '2026-01-01 00:00:00+00:00'),
	('premier', 'low', 1440, 2880, NULL, NULL, 120, '2026-01-01 00:00:00+00:00'),
	('legacy_enterprise', 'urgent', 60, 120, 1440, NULL, 15, '2026-01-01 00:00:00+00:00'),
	('legacy_enterprise', 'high', 120, 240, 2880, NULL, 30, '2026-01-01 00:00:00+00:00'),
	('legacy_enterprise', 'normal', 480, 960, 7200, NULL, 60, '2026-01-01 00:00:00+00:00'),
	('legacy_enterprise', 'low', 1440, 2880, NULL, NULL, 120, '2026-01-01 00:00:00+00:00'),
	('enterprise', 'urgent', 120, 240, 2880, NULL, 30, '2026-01-01 00:00:00+00:00'),
	('enterprise', 'high', 240, 480, 4320, NULL, 60, '2026-01-01 00:00:00+00:00'),
	('enterprise', 'normal', 540, 1080, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 60, '2026-01-01 00:00:00+00:00'),
	('enterprise', 'low', 1080, 2160, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 120, '2026-01-01 00:00:00+00:00'),
	('standard', 'urgent', 240, 480, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 60, '2026-01-01 00:00:00+00:00'),
	('standard', 'high', 540, 1080, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 60, '2026-01-01 00:00:00+00:00'),
	('standard', 'normal', 1080, 2160, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 120, '2026-01-01 00:00:00+00:00'),
	('standard', 'low', 2700, NULL, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 240, '2026-01-01 00:00:00+00:00'),
	('free', 'urgent', 1080, NULL, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 120, '2026-01-01 00:00:00+00:00'),
	('free', 'high', 2700, NULL, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 240, '2026-01-01 00:00:00+00:00'),
	('free', 'normal', 5400, NULL, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 480, '2026-01-01 00:00:00+00:00'),
	('free', 'low', NULL, NULL, NULL, (SELECT id FROM sla_calendars WHERE name = 'Business hours'), 0, '2026-01-01 00:00:00+00:00');
