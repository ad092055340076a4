#!/bin/bash
# What a chain link costs PostgreSQL, without a JVM in the way: pgbench calls the store's commit_link (migration
# V006) as the store calls it, variants of it, and DBOS's statements for one step, 8 clients, each on fresh rows,
# in ROUNDS rounds whose order alternates. For each: calls/s, the machine's CPU besides pgbench's per 1,000 calls
# (PostgreSQL's, on an otherwise idle machine), pgbench's own, and WAL records per call; then the medians.
#   usage: examples/pg-floor/run.sh [variant ...]         (default: all, in the order below)
#   env:   ROUNDS (3), CALLS (8000 per client), PGHOST (127.0.0.1), PGUSER (postgres), DB (runs_pg_floor)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
migrations="$here/../../adapter-jdbc/src/main/resources/db/postgresql"
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
db=${DB:-runs_pg_floor}; rounds=${ROUNDS:-3}; calls=${CALLS:-8000}
variants=${*:-dbos_step link link_advisory link_no_timeline link_four link_append link_append_locked one_insert one_read}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
PGOPTIONS="-c client_min_messages=warning" psql -d postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
for f in "$migrations"/V*.sql; do sed -e 's/\${schema}//g' -e 's/\${prefix}//g' "$f"; done > "$work/migrations.sql"
psql -d "$db" -q -v ON_ERROR_STOP=1 -f "$work/migrations.sql"
psql -d "$db" -q -v ON_ERROR_STOP=1 -f "$here/variants.sql"
# Two variants of commit_link as the migration defines it: the run's lock as an advisory lock, and no timeline rows.
commit_link=$(awk '/^CREATE FUNCTION commit_link\(/ { on = 1 } on { print } on && /^\$\$;/ { exit }' "$work/migrations.sql")
sed -e 's/^CREATE FUNCTION commit_link(/CREATE FUNCTION link_advisory(/' \
  -e 's/FROM runs WHERE id = p_run_id FOR UPDATE;/FROM runs, pg_advisory_xact_lock(hashtextextended(p_run_id, 0)) WHERE id = p_run_id;/' \
  <<< "$commit_link" | psql -d "$db" -q -v ON_ERROR_STOP=1 -f -
sed -e 's/^CREATE FUNCTION commit_link(/CREATE FUNCTION link_no_timeline(/' -e '/INSERT INTO timeline_events/,/STEP_STARTED/d' \
  <<< "$commit_link" | psql -d "$db" -q -v ON_ERROR_STOP=1 -f -
derived=$(psql -d "$db" -Atq -c "SELECT string_agg(proname || ':' || (prosrc LIKE '%advisory%') || (prosrc LIKE '%timeline%'),
  ' ' ORDER BY proname) FROM pg_proc WHERE proname IN ('link_advisory', 'link_no_timeline')")
[ "$derived" = "link_advisory:truetrue link_no_timeline:falsefalse" ] \
  || { echo "commit_link's variants were not derived as expected: $derived" >&2; exit 1; }

# Client c's n-th call commits link j of run r: 1,250 runs of 8 steps per client, each run's links in order.
head='\set n :n + 1
\set m :n - 1
\set r :client_id * 1250 + :m % 1250
\set j :m / 1250
\set j1 :j + 1'
ts='CAST(:t1 AS timestamptz)'
link_args="(:r, :j, :one, :st, :one, :zero, :zero, NULL, CAST(NULL AS timestamptz), CAST(NULL AS timestamptz),
  CAST(:t0 AS timestamptz), $ts, CAST(:out AS jsonb), NULL, NULL, NULL, $ts, :j1, :own, CAST(:tl AS timestamptz),
  $ts, CAST(:d AS jsonb), CAST(:d AS jsonb))"
columns='run_id, name, status, attempt, budget_base, pending_deps, depends_on, lease_owner, lease_until, due_at,
  started_at, finished_at, output, error_type, error_message, error_stack, updated_at'
append_args=":r, :j, :one, CAST(:out AS jsonb), :j1, $ts, CAST(:d AS jsonb), CAST(:d AS jsonb)"
for v in link link_advisory link_no_timeline link_four; do
  fn=$v; [ "$v" = link ] && fn=commit_link
  printf '%s\nSELECT %s FROM %s%s;\n' "$head" "$columns" "$fn" "$link_args" > "$work/$v.pgb"
done
printf '%s\nSELECT link_append(false, %s);\n' "$head" "$append_args" > "$work/link_append.pgb"
printf '%s\nSELECT link_append(true, %s);\n' "$head" "$append_args" > "$work/link_append_locked.pgb"
cat > "$work/dbos_step.pgb" <<SQL
$head
SELECT status FROM workflow_status WHERE workflow_uuid = :r;
SELECT output, error, function_name, serialization FROM operation_outputs WHERE workflow_uuid = :r AND function_id = :j;
INSERT INTO operation_outputs (workflow_uuid, function_id, function_name, output, error, child_workflow_id,
  started_at_epoch_ms, completed_at_epoch_ms) VALUES (:r, :j, 'step', '1', NULL, NULL, 1764936000000, 1764936000001)
  ON CONFLICT DO NOTHING RETURNING completed_at_epoch_ms;
UPDATE workflow_status SET executor_id = 'local' WHERE workflow_uuid = :r AND executor_id IS DISTINCT FROM 'local';
SQL
printf '%s\nINSERT INTO step_results (run_id, name, attempt, status, output, finished_at)\n  VALUES (:r, :j, :one, :st, CAST(:out AS jsonb), %s) ON CONFLICT DO NOTHING;\n' "$head" "$ts" > "$work/one_insert.pgb"
printf '%s\nSELECT status FROM runs WHERE id = :r;\n' "$head" > "$work/one_read.pgb"

busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
sql() { psql -d "$db" -Atq -c "$1"; }
measure() {
  local v=$1
  sql "SELECT populate(10000, 8)" >/dev/null; sql "VACUUM ANALYZE" ; sql "CHECKPOINT"
  local w0 b0 b1 w1 u s tps done
  w0=$(sql "SELECT wal_records FROM pg_stat_wal"); b0=$(busy)
  /usr/bin/time -f "%U %S" -o "$work/time" pgbench -n -M prepared -c 8 -j 2 -t "$calls" -D n=0 -D one=1 -D zero=0 \
    -D st=SUCCEEDED -D t0=2026-12-05T12:00:00Z -D t1=2026-12-05T12:00:00.001Z -D tl=2026-12-05T12:05:00Z \
    -D own=worker-1 -D 'out={"value":1}' -D 'd={"attempt":1}' -f "$work/$v.pgb" "$db" > "$work/out" 2>&1 \
    || { cat "$work/out" >&2; exit 1; }
  b1=$(busy); w1=$(sql "SELECT wal_records FROM pg_stat_wal")
  read -r u s < "$work/time"
  tps=$(grep -o 'tps = [0-9.]*' "$work/out" | head -1 | cut -d' ' -f3)
  # what the call committed: links, step results, DBOS step outputs (the rows of earlier runs aside)
  done=$(sql "SELECT (SELECT count(*) FROM steps WHERE status = 'SUCCEEDED')
    + (SELECT count(*) FROM step_results WHERE run_id NOT LIKE 'earlier-%')
    + (SELECT count(*) FROM operation_outputs WHERE workflow_uuid NOT LIKE 'earlier-%')")
  awk -v v="$v" -v tps="$tps" -v b=$((b1 - b0)) -v u="$u" -v s="$s" -v c=$((8 * calls)) -v w=$((w1 - w0)) -v d="$done" \
    'BEGIN { printf "%-19s %6.0f calls/s  PostgreSQL %.3f s/1k  pgbench %.3f s/1k  WAL %4.1f records/call  committed %d of %d\n",
             v, tps, (b / 100 - u - s) * 1000 / c, (u + s) * 1000 / c, w / c, d, c }'
}
reversed=$(echo $variants | tr ' ' '\n' | tac | tr '\n' ' ')
for round in $(seq 1 "$rounds"); do
  echo "round $round, $(date -u +%H:%M:%S) UTC"
  order=$variants; [ $((round % 2)) = 0 ] && order=$reversed
  for v in $order; do measure "$v"; done | tee -a "$work/all"
done
echo "medians of $rounds rounds, each column on its own:"
median() { sort -n | awk '{ x[NR] = $1 } END { print x[int((NR + 1) / 2)] }'; }
for v in $variants; do
  printf '%-19s %6.0f calls/s  PostgreSQL %s s/1k\n' "$v" "$(grep "^$v " "$work/all" | awk '{ print $2 }' | median)" \
    "$(grep "^$v " "$work/all" | awk '{ print $5 }' | median)"
done
psql -d postgres -qc "DROP DATABASE $db"
