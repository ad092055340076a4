-- Durable runs: the tables of the PostgreSQL store.
-- Placeholders: ${schema} is empty or a quoted schema name followed by a dot; ${prefix} is the table
-- prefix (possibly empty). Index names carry only the prefix: PostgreSQL creates an index in the schema
-- of its table. Key columns use the "C" collation so that ordering matches Java's String order.

CREATE TABLE ${schema}${prefix}graph_versions (
    name        text COLLATE "C" NOT NULL,
    version     integer          NOT NULL,
    fingerprint text             NOT NULL,
    description jsonb            NOT NULL,
    created_at  timestamptz      NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE ${schema}${prefix}runs (
    id              text COLLATE "C" PRIMARY KEY,
    graph           text COLLATE "C" NOT NULL,
    version         integer          NOT NULL,
    status          text             NOT NULL,
    input           jsonb            NOT NULL,
    output          jsonb,
    idempotency_key text,
    sinks_remaining integer          NOT NULL,
    created_at      timestamptz      NOT NULL,
    updated_at      timestamptz      NOT NULL,
    finished_at     timestamptz
) WITH (fillfactor = 90);

CREATE INDEX ${prefix}runs_created_idx ON ${schema}${prefix}runs (created_at DESC, id DESC);
CREATE INDEX ${prefix}runs_status_created_idx ON ${schema}${prefix}runs (status, created_at DESC, id DESC);
CREATE INDEX ${prefix}runs_graph_created_idx ON ${schema}${prefix}runs (graph, created_at DESC, id DESC);

CREATE TABLE ${schema}${prefix}idempotency_keys (
    idempotency_key text COLLATE "C" PRIMARY KEY,
    request_hash    text             NOT NULL,
    run_id          text COLLATE "C" NOT NULL,
    created_at      timestamptz      NOT NULL
);

CREATE TABLE ${schema}${prefix}steps (
    run_id        text COLLATE "C" NOT NULL,
    name          text COLLATE "C" NOT NULL,
    position      bigint GENERATED ALWAYS AS IDENTITY,
    status        text             NOT NULL,
    attempt       integer          NOT NULL,
    budget_base   integer          NOT NULL,
    pending_deps  integer          NOT NULL,
    depends_on    jsonb            NOT NULL,
    lease_owner   text,
    lease_until   timestamptz,
    due_at        timestamptz,
    started_at    timestamptz,
    finished_at   timestamptz,
    output        jsonb,
    error_type    text,
    error_message text,
    error_stack   text,
    updated_at    timestamptz      NOT NULL,
    PRIMARY KEY (run_id, name)
);

CREATE INDEX ${prefix}steps_lease_idx ON ${schema}${prefix}steps (lease_until) WHERE status = 'RUNNING';
CREATE INDEX ${prefix}steps_ready_idx ON ${schema}${prefix}steps (due_at) WHERE status IN ('QUEUED', 'RETRYING');

CREATE TABLE ${schema}${prefix}artifacts (
    run_id       text COLLATE "C" NOT NULL,
    step         text COLLATE "C" NOT NULL,
    artifact_key text COLLATE "C" NOT NULL,
    content_type text             NOT NULL,
    content      bytea            NOT NULL,
    attempt      integer          NOT NULL,
    created_at   timestamptz      NOT NULL,
    PRIMARY KEY (run_id, step, artifact_key)
);

CREATE TABLE ${schema}${prefix}tool_calls (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      text COLLATE "C" NOT NULL,
    step        text COLLATE "C" NOT NULL,
    attempt     integer          NOT NULL,
    tool        text             NOT NULL,
    input       jsonb,
    output      jsonb,
    error       text,
    started_at  timestamptz      NOT NULL,
    duration_ms bigint           NOT NULL
);

CREATE INDEX ${prefix}tool_calls_run_idx ON ${schema}${prefix}tool_calls (run_id, id);

CREATE TABLE ${schema}${prefix}timeline_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id  text COLLATE "C" NOT NULL,
    at      timestamptz      NOT NULL,
    type    text             NOT NULL,
    step    text COLLATE "C",
    attempt integer,
    data    jsonb            NOT NULL
);

CREATE INDEX ${prefix}timeline_events_run_idx ON ${schema}${prefix}timeline_events (run_id, id);

CREATE TABLE ${schema}${prefix}dispatch_intents (
    id         text COLLATE "C" PRIMARY KEY,
    run_id     text COLLATE "C" NOT NULL,
    step       text COLLATE "C" NOT NULL,
    due_at     timestamptz      NOT NULL,
    created_at timestamptz      NOT NULL
);

CREATE INDEX ${prefix}dispatch_intents_due_idx ON ${schema}${prefix}dispatch_intents (due_at);
CREATE INDEX ${prefix}dispatch_intents_created_idx ON ${schema}${prefix}dispatch_intents (created_at, id);
CREATE INDEX ${prefix}dispatch_intents_step_idx ON ${schema}${prefix}dispatch_intents (run_id, step);
