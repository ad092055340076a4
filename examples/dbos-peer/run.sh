#!/bin/bash
# The peer side of the side-by-side benchmark: DBOS Transact Java running DispatcherBenchmark's workloads on the
# same PostgreSQL. Run it right before or after the project's benchmark, in the same minute, and compare the ratio.
#   usage: examples/dbos-peer/run.sh                      the chain: 2,000 runs of 5 sequential steps
#          SHAPE=fan-out N=500 K=10 WARMUP=500 examples/dbos-peer/run.sh
#                                                          the fan-out: root, 10 child workflows of one step, join
#   env:   SHAPE (chain), N (2000 runs), K (5 steps or branches), WARMUP (2000 runs), MODE (async),
#          PGUSER/PGPASSWORD, JDBC_URL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${DBOS_PEER_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/durable-runs-dbos-peer}
mkdir -p "$work"
rm -rf "$work/src"
cp -r "$here/pom.xml" "$here/src" "$work/"
export PGUSER=${PGUSER:-postgres} PGPASSWORD=${PGPASSWORD:-postgres}
db=dbos_peer
psql -h 127.0.0.1 -U "$PGUSER" -d postgres -Atc "select 1 from pg_database where datname='$db'" | grep -q 1 \
  || psql -h 127.0.0.1 -U "$PGUSER" -d postgres -qc "create database $db"
export JDBC_URL=${JDBC_URL:-jdbc:postgresql://127.0.0.1:5432/$db}
mvnbin=$(command -v mvn || echo "$here/../../mvnw")
(cd "$work" && "$mvnbin" -q -B package -DskipTests)
psql -h 127.0.0.1 -U "$PGUSER" -d "$db" -qc "TRUNCATE dbos.workflow_status CASCADE" 2>/dev/null || true
psql -h 127.0.0.1 -U "$PGUSER" -d "$db" -qc "CHECKPOINT" 2>/dev/null || true
cd "$work"
SHAPE=${SHAPE:-chain} N=${N:-2000} K=${K:-5} WARMUP=${WARMUP:-2000} MODE=${MODE:-async} \
  java -cp "target/classes:target/lib/*" bench.DbosBench 2>&1 | grep -E '^(RESULT|DBOS|warmup)'
