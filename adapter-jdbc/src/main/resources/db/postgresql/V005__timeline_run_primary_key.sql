-- The timeline is read by run only, in id order, so one index serves it: the primary key becomes (run_id, id) and
-- the index beside it goes. Each event written then costs one index entry instead of two.
ALTER TABLE ${schema}${prefix}timeline_events DROP CONSTRAINT ${prefix}timeline_events_pkey;
ALTER TABLE ${schema}${prefix}timeline_events ADD CONSTRAINT ${prefix}timeline_events_pkey PRIMARY KEY (run_id, id);
DROP INDEX ${schema}${prefix}timeline_events_run_idx;
