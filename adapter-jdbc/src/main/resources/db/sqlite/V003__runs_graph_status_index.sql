-- The dashboard filters runs by graph and status together and counts each graph's runs per status: an index
-- on both keeps those queries on the index, whatever the number of runs kept.
CREATE INDEX ${prefix}runs_graph_status_created_idx ON ${prefix}runs (graph, status, created_at DESC, id DESC);
