-- Step updates (claims, commits, retries) change no indexed column, so PostgreSQL updates a step in place (a HOT
-- update, with no index entry to write) when its page has room: the partial indexes on the step status go, and
-- pages keep 30% free. The sweeper's scans start from the unfinished runs instead (runs_status_created_idx).
DROP INDEX ${schema}${prefix}steps_lease_idx;
DROP INDEX ${schema}${prefix}steps_ready_idx;
ALTER TABLE ${schema}${prefix}steps SET (fillfactor = 70);
