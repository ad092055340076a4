-- A run's finish in one round trip (StoreTransaction.commitFinish): the success of the last step of a run whose
-- graph has one sink, which is that step, and the run's success. Called inside the transaction that then takes the
-- worker's next step from the queue. It takes the run's row lock first, as every step and run transaction does, and
-- checks before it writes: a run that is not RUNNING, a run with more than one sink left, or a step that is no
-- longer RUNNING in the expected attempt return false and change nothing (the run stays locked), and the caller
-- commits the step the general way. The step's columns are written as the store's compare-and-set update writes
-- them; the run's as its status update writes them.
CREATE FUNCTION ${schema}${prefix}commit_finish(
    p_run_id text, p_name text, p_expected_attempt integer,
    p_status text, p_attempt integer, p_budget_base integer, p_pending_deps integer, p_lease_owner text,
    p_lease_until timestamptz, p_due_at timestamptz, p_started_at timestamptz, p_finished_at timestamptz,
    p_output jsonb, p_error_type text, p_error_message text, p_error_stack text, p_updated_at timestamptz,
    p_at timestamptz, p_succeeded_data jsonb, p_run_output jsonb)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    run_status text;
    sinks integer;
BEGIN
    SELECT status, sinks_remaining INTO run_status, sinks FROM ${schema}${prefix}runs WHERE id = p_run_id FOR UPDATE;
    IF NOT FOUND OR run_status <> 'RUNNING' OR sinks <> 1 THEN
        RETURN false;
    END IF;
    UPDATE ${schema}${prefix}steps SET status = p_status, attempt = p_attempt, budget_base = p_budget_base,
            pending_deps = p_pending_deps, lease_owner = p_lease_owner, lease_until = p_lease_until,
            due_at = p_due_at, started_at = p_started_at, finished_at = p_finished_at, output = p_output,
            error_type = p_error_type, error_message = p_error_message, error_stack = p_error_stack,
            updated_at = p_updated_at
        WHERE run_id = p_run_id AND name = p_name AND status = 'RUNNING' AND attempt = p_expected_attempt;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE ${schema}${prefix}runs SET sinks_remaining = 0, status = 'SUCCEEDED', updated_at = p_at,
            finished_at = p_at, output = p_run_output
        WHERE id = p_run_id;
    INSERT INTO ${schema}${prefix}timeline_events (run_id, at, type, step, attempt, data) VALUES
        (p_run_id, p_at, 'STEP_SUCCEEDED', p_name, p_expected_attempt, p_succeeded_data),
        (p_run_id, p_at, 'RUN_SUCCEEDED', NULL, NULL, '{}');
    RETURN true;
END
$$;
