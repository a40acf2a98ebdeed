#!/usr/bin/env bash
# The load benchmark (issue 12), in one run on PostgreSQL and on SQLite: first load into an
# empty table, identical rerun, rerun with 10% changed, each against the warehouse's own bulk
# import of the same final rows into an identical indexed table (`psql \copy`; `sqlite3`'s
# `.import` + `INSERT … SELECT`), with rows/s, ratios and peak RSS; then the extract of 1,000
# pages with 20 ms latency, sequential against 4 pages at once. Orders have three line
# items and a long description (about 475 bytes of JSON each). It prints figures; it asserts none.
#
#   scripts/bench-load.sh                 200,000 orders (a few minutes on 2 busy cores)
#   scripts/bench-load.sh 1000000         1,000,000 orders
#   scripts/bench-load.sh 1000000 --big-rows 5000000 --warehouses postgres
#
# Starts PostgreSQL on loopback (scripts/services.sh), installs Debian's sqlite3 when missing,
# builds release, and runs `ingestbench load`; arguments after the size go to it
# (--big-rows N repeats the first load at N rows for memory, 0 by default here;
# --ingestctl PATH measures another build, e.g. the one before a change).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

rows=200000
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then rows=$1; shift; fi

ensure_sqlite3
start_postgres
echo "bench-load.sh: PostgreSQL $(postgres_version) on 127.0.0.1:$POSTGRES_PORT, $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /')"
[ "${SKIP_BUILD:-0}" = "1" ] || swift build -c release --product ingestctl >/dev/null
[ "${SKIP_BUILD:-0}" = "1" ] || swift build -c release --product ingestbench >/dev/null
PGBIN="$PGBIN" .build/release/ingestbench load --rows "$rows" --big-rows 0 \
    --postgres-url "$POSTGRES_URL" --psql "$PGBIN/psql" --sqlite3 "$(command -v sqlite3)" "$@"
# Item 5: extraction with concurrent pages against the sequential read, 20 ms latency a response.
.build/release/ingestbench extract --pages 1000 --latency-ms 20 --concurrency 4
