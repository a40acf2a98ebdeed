#!/usr/bin/env bash
# The PostgreSQL load benchmark: first load, identical rerun, 10% changed rerun
# and raw `psql \copy` of the same rows, with rows/s and peak RSS of each,
# then the first load again at 5,000,000 rows for memory.
#
# Starts PostgreSQL on loopback (scripts/services.sh), builds release, and runs
# `ingestbench load`; extra arguments go to it (e.g. --rows 200000 --big-rows 0).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

start_postgres
echo "bench-load.sh: PostgreSQL $(postgres_version) on 127.0.0.1:$POSTGRES_PORT"
[ "${SKIP_BUILD:-0}" = "1" ] || swift build -c release --product ingestctl >/dev/null
[ "${SKIP_BUILD:-0}" = "1" ] || swift build -c release --product ingestbench >/dev/null
PGBIN="$PGBIN" .build/release/ingestbench load --postgres-url "$POSTGRES_URL" --psql "$PGBIN/psql" "$@"
