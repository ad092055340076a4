-- Durable runs: the tables of the SQLite store.
-- Placeholders: ${schema} is always empty on SQLite; ${prefix} is the table prefix (possibly empty).
-- Instants are integer microseconds since the epoch (UTC); JSON is text.

CREATE TABLE ${schema}${prefix}graph_versions (
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    fingerprint TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE ${schema}${prefix}runs (
    id              TEXT    PRIMARY KEY,
    graph           TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    input           TEXT    NOT NULL,
    output          TEXT,
    idempotency_key TEXT,
    sinks_remaining INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER
);

CREATE INDEX ${prefix}runs_created_idx ON ${prefix}runs (created_at DESC, id DESC);
CREATE INDEX ${prefix}runs_status_created_idx ON ${prefix}runs (status, created_at DESC, id DESC);
CREATE INDEX ${prefix}runs_graph_created_idx ON ${prefix}runs (graph, created_at DESC, id DESC);

CREATE TABLE ${schema}${prefix}idempotency_keys (
    idempotency_key TEXT    PRIMARY KEY,
    request_hash    TEXT    NOT NULL,
    run_id          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);

-- The rowid keeps the insertion order of the steps of a run.
CREATE TABLE ${schema}${prefix}steps (
    run_id        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    attempt       INTEGER NOT NULL,
    budget_base   INTEGER NOT NULL,
    pending_deps  INTEGER NOT NULL,
    depends_on    TEXT    NOT NULL,
    lease_owner   TEXT,
    lease_until   INTEGER,
    due_at        INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    output        TEXT,
    error_type    TEXT,
    error_message TEXT,
    error_stack   TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (run_id, name)
);

CREATE INDEX ${prefix}steps_lease_idx ON ${prefix}steps (lease_until) WHERE status = 'RUNNING';
CREATE INDEX ${prefix}steps_ready_idx ON ${prefix}steps (due_at) WHERE status IN ('QUEUED', 'RETRYING');

CREATE TABLE ${schema}${prefix}artifacts (
    run_id       TEXT    NOT NULL,
    step         TEXT    NOT NULL,
    artifact_key TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    attempt      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (run_id, step, artifact_key)
);

CREATE TABLE ${schema}${prefix}tool_calls (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT    NOT NULL,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    tool        TEXT    NOT NULL,
    input       TEXT,
    output      TEXT,
    error       TEXT,
    started_at  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
);

CREATE INDEX ${prefix}tool_calls_run_idx ON ${prefix}tool_calls (run_id, id);

CREATE TABLE ${schema}${prefix}timeline_events (
    id      INTEGER PRIMARY KEY,
    run_id  TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    type    TEXT    NOT NULL,
    step    TEXT,
    attempt INTEGER,
    data    TEXT    NOT NULL
);

CREATE INDEX ${prefix}timeline_events_run_idx ON ${prefix}timeline_events (run_id, id);

CREATE TABLE ${schema}${prefix}dispatch_intents (
    id         TEXT    PRIMARY KEY,
    run_id     TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    due_at     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX ${prefix}dispatch_intents_due_idx ON ${prefix}dispatch_intents (due_at);
CREATE INDEX ${prefix}dispatch_intents_created_idx ON ${prefix}dispatch_intents (created_at, id);
CREATE INDEX ${prefix}dispatch_intents_step_idx ON ${prefix}dispatch_intents (run_id, step);
