-- A chain link's commit in one round trip (RunStore.commitLink): a step's success and the claim of its successor,
-- which waits for it alone, by the worker that ran the step. Called on its own, outside a transaction, so that the
-- call commits as it returns. It takes the run's row lock first, as every step and run transaction does, and checks
-- before it writes: a finished run, a successor that is not waiting for this step alone, or a step that is no longer
-- RUNNING in the expected attempt return no row and change nothing, and the caller commits the general way.
-- The step's columns are written as the store's compare-and-set update writes them. An attempt that called tools
-- or staged artifacts commits with commit_link_recording below, which passes them as arrays.
CREATE FUNCTION ${schema}${prefix}commit_link(
    p_run_id text, p_name text, p_expected_attempt integer,
    p_status text, p_attempt integer, p_budget_base integer, p_pending_deps integer, p_lease_owner text,
    p_lease_until timestamptz, p_due_at timestamptz, p_started_at timestamptz, p_finished_at timestamptz,
    p_output jsonb, p_error_type text, p_error_message text, p_error_stack text, p_updated_at timestamptz,
    p_successor text, p_owner text, p_successor_lease_until timestamptz, p_at timestamptz,
    p_succeeded_data jsonb, p_started_data jsonb)
RETURNS SETOF ${schema}${prefix}steps
LANGUAGE plpgsql AS $$
DECLARE
    run_status text;
    waiting ${schema}${prefix}steps%ROWTYPE;
    claimed ${schema}${prefix}steps%ROWTYPE;
BEGIN
    SELECT status INTO run_status FROM ${schema}${prefix}runs WHERE id = p_run_id FOR UPDATE;
    IF NOT FOUND OR run_status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
        RETURN;
    END IF;
    SELECT * INTO waiting FROM ${schema}${prefix}steps WHERE run_id = p_run_id AND name = p_successor;
    IF NOT FOUND OR waiting.status <> 'PENDING' OR waiting.pending_deps <> 1 THEN
        RETURN;
    END IF;
    UPDATE ${schema}${prefix}steps SET status = p_status, attempt = p_attempt, budget_base = p_budget_base,
            pending_deps = p_pending_deps, lease_owner = p_lease_owner, lease_until = p_lease_until,
            due_at = p_due_at, started_at = p_started_at, finished_at = p_finished_at, output = p_output,
            error_type = p_error_type, error_message = p_error_message, error_stack = p_error_stack,
            updated_at = p_updated_at
        WHERE run_id = p_run_id AND name = p_name AND status = 'RUNNING' AND attempt = p_expected_attempt;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE ${schema}${prefix}steps SET status = 'RUNNING', attempt = attempt + 1, pending_deps = 0,
            lease_owner = p_owner, lease_until = p_successor_lease_until, due_at = NULL, started_at = p_at,
            finished_at = NULL, updated_at = p_at
        WHERE run_id = p_run_id AND name = p_successor AND status = 'PENDING' AND attempt = waiting.attempt
        RETURNING * INTO claimed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'step % of run % changed while its run was locked', p_successor, p_run_id;
    END IF;
    INSERT INTO ${schema}${prefix}timeline_events (run_id, at, type, step, attempt, data) VALUES
        (p_run_id, p_at, 'STEP_SUCCEEDED', p_name, p_expected_attempt, p_succeeded_data),
        (p_run_id, p_at, 'STEP_STARTED', p_successor, claimed.attempt, p_started_data);
    RETURN NEXT claimed;
END
$$;

-- commit_link, then, when it committed the link, the attempt's artifacts (each unless the step has one with its
-- key) and tool calls, one array element per row, in order. A function of its own: twelve more parameters on
-- commit_link made every call of it cost PostgreSQL more, with or without records.
CREATE FUNCTION ${schema}${prefix}commit_link_recording(
    p_run_id text, p_name text, p_expected_attempt integer,
    p_status text, p_attempt integer, p_budget_base integer, p_pending_deps integer, p_lease_owner text,
    p_lease_until timestamptz, p_due_at timestamptz, p_started_at timestamptz, p_finished_at timestamptz,
    p_output jsonb, p_error_type text, p_error_message text, p_error_stack text, p_updated_at timestamptz,
    p_successor text, p_owner text, p_successor_lease_until timestamptz, p_at timestamptz,
    p_succeeded_data jsonb, p_started_data jsonb,
    p_tool_attempts integer[], p_tools text[], p_tool_inputs text[], p_tool_outputs text[], p_tool_errors text[],
    p_tool_started timestamptz[], p_tool_durations bigint[],
    p_artifact_keys text[], p_artifact_types text[], p_artifact_contents bytea[], p_artifact_attempts integer[],
    p_artifact_created timestamptz[])
RETURNS SETOF ${schema}${prefix}steps
LANGUAGE plpgsql AS $$
DECLARE
    claimed ${schema}${prefix}steps%ROWTYPE;
BEGIN
    SELECT * INTO claimed FROM ${schema}${prefix}commit_link(p_run_id, p_name, p_expected_attempt, p_status,
        p_attempt, p_budget_base, p_pending_deps, p_lease_owner, p_lease_until, p_due_at, p_started_at,
        p_finished_at, p_output, p_error_type, p_error_message, p_error_stack, p_updated_at, p_successor, p_owner,
        p_successor_lease_until, p_at, p_succeeded_data, p_started_data);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO ${schema}${prefix}artifacts (run_id, step, artifact_key, content_type, content, attempt, created_at)
        SELECT p_run_id, p_name, a.artifact_key, a.content_type, a.content, a.attempt, a.created_at
        FROM unnest(p_artifact_keys, p_artifact_types, p_artifact_contents, p_artifact_attempts, p_artifact_created)
            WITH ORDINALITY AS a(artifact_key, content_type, content, attempt, created_at, n)
        ORDER BY a.n
        ON CONFLICT (run_id, step, artifact_key) DO NOTHING;
    INSERT INTO ${schema}${prefix}tool_calls (run_id, step, attempt, tool, input, output, error, started_at,
            duration_ms)
        SELECT p_run_id, p_name, c.attempt, c.tool, CAST(c.input AS jsonb), CAST(c.output AS jsonb), c.error,
            c.started_at, c.duration_ms
        FROM unnest(p_tool_attempts, p_tools, p_tool_inputs, p_tool_outputs, p_tool_errors, p_tool_started,
                p_tool_durations) WITH ORDINALITY AS c(attempt, tool, input, output, error, started_at, duration_ms, n)
        ORDER BY c.n;
    RETURN NEXT claimed;
END
$$;
