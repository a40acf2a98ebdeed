#!/usr/bin/env bash
# The library-use example (issue 10): Examples/WeatherFeed, a package of its own that depends on IngestKit
# by path, declares a source and runs it from its own `main` through IngestKit's public API (no ingestctl).
#
#  1. builds the example with its tests (its own .build: the first build compiles every dependency,
#     about 7 minutes on 2 idle cores) and runs its tests (IngestTesting: the fixture served on 127.0.0.1,
#     SQLite and the PostgreSQL of INGEST_TEST_POSTGRES_URL);
#  2. serves Examples/WeatherFeed/Fixtures/ with Python's http.server on 127.0.0.1 and runs the program
#     against it on the embedded default: exit status 0, 5 rows in silver, 2 in the mart (read with sqlite3);
#     a rerun: exit status 0, nothing inserted;
#  3. stops the server and runs it again: the run fails, exit status 1.
#
# CI (.ci/run) runs it after scripts/test.sh. It starts a private PostgreSQL on loopback (scripts/services.sh)
# unless INGEST_TEST_POSTGRES_URL is set. Prints the duration of each step; leaves nothing behind but the
# example's .build.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
example="$repo/Examples/WeatherFeed"

source scripts/services.sh   # its EXIT trap stops what it started; cleanup below calls it too
use_test_postgres
work="$(mktemp -d /tmp/ingestkit-example.XXXXXX)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
  _stop_services
}
trap cleanup EXIT
step() { echo "example-test: $* ($((SECONDS - started)) s)"; }
started=$SECONDS

# 1. Build and test the example (the same dependency versions as this checkout when it has resolved them).
[[ -f Package.resolved && ! -f "$example/Package.resolved" ]] && cp Package.resolved "$example/"
cd "$example"
swift build --build-tests 2>&1 | tail -3
step "built Examples/WeatherFeed"
swift test --skip-build 2>&1 | tail -3
step "the example's tests passed"

# 2. The program against a real HTTP server on loopback.
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$example/Fixtures" > "$work/server.txt" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$work/server.txt" | head -1)"
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/server.txt" >&2; echo "example-test: the HTTP server did not start" >&2; exit 1; }
export INGEST_HOME="$work/ingest" WEATHER_FEED_BASE_URL="http://127.0.0.1:$port"
program="$(swift build --show-bin-path)/weather-feed"
"$program" | tee "$work/run1.txt"
grep -q "^rows: 5 in weather_feed.observations, 2 in marts.fct_daily_weather$" "$work/run1.txt" \
  || { echo "example-test: the first run did not load 5 rows and publish 2 days" >&2; exit 1; }
rows="$(sqlite3 "$INGEST_HOME/warehouse/warehouse.sqlite" 'select count(*) from "weather_feed.observations"')"
[[ "$rows" == 5 ]] || { echo "example-test: weather_feed.observations holds $rows rows, not 5" >&2; exit 1; }
"$program" | tee "$work/run2.txt"
grep -q "0 inserted, 0 updated, 5 unchanged" "$work/run2.txt" || { echo "example-test: the rerun changed rows" >&2; exit 1; }
step "weather-feed ran twice against 127.0.0.1:$port: 5 rows, 2 days published, the rerun changed nothing"

# 3. Without the API the run fails, and the program says so with its exit status.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
status=0
"$program" > "$work/run3.txt" 2>&1 || status=$?
[[ "$status" == 1 ]] || { cat "$work/run3.txt" >&2; echo "example-test: with the API down the program exited $status, not 1" >&2; exit 1; }
step "with the API down, weather-feed exited 1"
echo "example-test: passed in $((SECONDS - started)) s"
