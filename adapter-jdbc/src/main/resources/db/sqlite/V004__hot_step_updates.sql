-- The partial indexes on the step status cost every step update an index change; the sweeper's scans start from the
-- unfinished runs instead (runs_status_created_idx).
DROP INDEX ${prefix}steps_lease_idx;
DROP INDEX ${prefix}steps_ready_idx;
