-- What a chain link costs PostgreSQL, statement by statement, beside what DBOS's step costs it: the variants that
-- run.sh measures with pgbench, on the store's own tables (migrations V001 to V007, applied first) and on DBOS's.
-- link_advisory and link_no_timeline are derived by run.sh from the migration's commit_link, so that they follow it.

-- link_four: a link in four statements: the successor's claim checks what the read checked; a step that is no longer
-- RUNNING in its attempt raises, which undoes the claim (the caller would then commit the general way).
CREATE FUNCTION link_four(
    p_run_id text, p_name text, p_expected_attempt integer,
    p_status text, p_attempt integer, p_budget_base integer, p_pending_deps integer, p_lease_owner text,
    p_lease_until timestamptz, p_due_at timestamptz, p_started_at timestamptz, p_finished_at timestamptz,
    p_output jsonb, p_error_type text, p_error_message text, p_error_stack text, p_updated_at timestamptz,
    p_successor text, p_owner text, p_successor_lease_until timestamptz, p_at timestamptz,
    p_succeeded_data jsonb, p_started_data jsonb)
RETURNS SETOF steps LANGUAGE plpgsql AS $$
DECLARE
    run_status text;
    claimed steps%ROWTYPE;
BEGIN
    SELECT status INTO run_status FROM runs WHERE id = p_run_id FOR UPDATE;
    IF NOT FOUND OR run_status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
        RETURN;
    END IF;
    UPDATE steps SET status = 'RUNNING', attempt = attempt + 1, pending_deps = 0,
            lease_owner = p_owner, lease_until = p_successor_lease_until, due_at = NULL, started_at = p_at,
            finished_at = NULL, updated_at = p_at
        WHERE run_id = p_run_id AND name = p_successor AND status = 'PENDING' AND pending_deps = 1
        RETURNING * INTO claimed;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE steps SET status = p_status, attempt = p_attempt, budget_base = p_budget_base,
            pending_deps = p_pending_deps, lease_owner = p_lease_owner, lease_until = p_lease_until,
            due_at = p_due_at, started_at = p_started_at, finished_at = p_finished_at, output = p_output,
            error_type = p_error_type, error_message = p_error_message, error_stack = p_error_stack,
            updated_at = p_updated_at
        WHERE run_id = p_run_id AND name = p_name AND status = 'RUNNING' AND attempt = p_expected_attempt;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'moved on' USING ERRCODE = 'P0002';
    END IF;
    INSERT INTO timeline_events (run_id, at, type, step, attempt, data) VALUES
        (p_run_id, p_at, 'STEP_SUCCEEDED', p_name, p_expected_attempt, p_succeeded_data),
        (p_run_id, p_at, 'STEP_STARTED', p_successor, claimed.attempt, p_started_data);
    RETURN NEXT claimed;
END $$;

-- link_append: an append-only link, as DBOS records a step: the step's result is a row whose key (run, step, attempt) is
-- the compare-and-set, plus the two timeline rows; no step row updated, and no run lock unless p_locked
-- (link_append_locked: invariant 8's serialization of a run's changes kept).
CREATE TABLE step_results (
    run_id text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL, attempt integer NOT NULL,
    status text NOT NULL, output jsonb, finished_at timestamptz NOT NULL,
    PRIMARY KEY (run_id, name, attempt));
CREATE FUNCTION link_append(p_locked boolean, p_run_id text, p_name text, p_expected_attempt integer,
    p_output jsonb, p_successor text, p_at timestamptz, p_succeeded_data jsonb, p_started_data jsonb)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    run_status text;
BEGIN
    IF p_locked THEN
        SELECT status INTO run_status FROM runs WHERE id = p_run_id FOR UPDATE;
        IF NOT FOUND OR run_status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
            RETURN false;
        END IF;
    END IF;
    INSERT INTO step_results (run_id, name, attempt, status, output, finished_at)
        VALUES (p_run_id, p_name, p_expected_attempt, 'SUCCEEDED', p_output, p_at) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO timeline_events (run_id, at, type, step, attempt, data) VALUES
        (p_run_id, p_at, 'STEP_SUCCEEDED', p_name, p_expected_attempt, p_succeeded_data),
        (p_run_id, p_at, 'STEP_STARTED', p_successor, 1, p_started_data);
    RETURN true;
END $$;

-- DBOS's tables for a step (its workflow row and its step outputs), as its migrations create them, narrowed to
-- the columns and indexes a step's statements touch.
CREATE TABLE workflow_status (
    workflow_uuid text PRIMARY KEY, status text, name text, executor_id text, created_at bigint NOT NULL,
    updated_at bigint NOT NULL, queue_name text, deduplication_id text, output text, error text);
CREATE INDEX workflow_status_created_at_index ON workflow_status (created_at);
CREATE INDEX workflow_status_executor_id_index ON workflow_status (executor_id);
CREATE INDEX workflow_status_status_index ON workflow_status (status);
ALTER TABLE workflow_status ADD CONSTRAINT uq_workflow_status_queue_name_dedup_id UNIQUE (queue_name, deduplication_id);
CREATE TABLE operation_outputs (
    workflow_uuid text NOT NULL, function_id int4 NOT NULL, function_name text NOT NULL DEFAULT '',
    output text, error text, child_workflow_id text, started_at_epoch_ms bigint, completed_at_epoch_ms bigint,
    serialization text DEFAULT NULL,
    PRIMARY KEY (workflow_uuid, function_id),
    FOREIGN KEY (workflow_uuid) REFERENCES workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE);

-- Fresh rows for one measurement: r runs of l steps in a line, the first RUNNING, each other waiting for the one
-- before it; r DBOS workflows. Both step-result tables also get r × l rows of earlier runs, so that the planner
-- sees tables of the size the measurement reads (an empty table, analyzed, is planned as a sequential scan).
CREATE FUNCTION populate(r integer, l integer) RETURNS void LANGUAGE sql AS $$
    TRUNCATE runs, steps, timeline_events, step_results, operation_outputs, workflow_status;
    INSERT INTO runs (id, graph, version, status, input, sinks_remaining, created_at, updated_at)
        SELECT g::text, 'chain', 1, 'RUNNING', '{}', 1, now(), now() FROM generate_series(0, r - 1) g;
    INSERT INTO steps (run_id, name, status, attempt, budget_base, pending_deps, depends_on, lease_owner,
            lease_until, started_at, updated_at)
        SELECT g::text, j::text, CASE WHEN j = 0 THEN 'RUNNING' ELSE 'PENDING' END, CASE WHEN j = 0 THEN 1 ELSE 0 END,
            0, CASE WHEN j = 0 THEN 0 ELSE 1 END,
            CASE WHEN j = 0 THEN '[]'::jsonb ELSE jsonb_build_array((j - 1)::text) END,
            CASE WHEN j = 0 THEN 'w' END, CASE WHEN j = 0 THEN now() + interval '1 hour' END,
            CASE WHEN j = 0 THEN now() END, now()
        FROM generate_series(0, l - 1) j, generate_series(0, r - 1) g ORDER BY g, j;
    INSERT INTO workflow_status (workflow_uuid, status, name, executor_id, created_at, updated_at)
        SELECT g::text, 'PENDING', 'chain', 'local', 0, 0 FROM generate_series(0, r - 1) g;
    INSERT INTO workflow_status (workflow_uuid, status, name, executor_id, created_at, updated_at)
        SELECT 'earlier-' || g, 'SUCCESS', 'chain', 'local', 0, 0 FROM generate_series(0, r - 1) g;
    INSERT INTO operation_outputs (workflow_uuid, function_id, function_name, output, started_at_epoch_ms,
            completed_at_epoch_ms)
        SELECT 'earlier-' || g, j, 'step', '1', 0, 1 FROM generate_series(0, l - 1) j, generate_series(0, r - 1) g;
    INSERT INTO step_results (run_id, name, attempt, status, output, finished_at)
        SELECT 'earlier-' || g, j::text, 1, 'SUCCEEDED', '{"value": 1}', now()
        FROM generate_series(0, l - 1) j, generate_series(0, r - 1) g;
$$;
