#!/usr/bin/env bash
# The new-user test (issue 10): what a newcomer does to add an API source, in a copy of the repository.
#
#  1. copies the repository's files (tracked and untracked, not ignored) into a temporary folder and
#     commits them there, so `git status` can show what the steps below change;
#  2. serves a Socrata-style permits API on 127.0.0.1 with `ingestctl fixtures serve` (IngestTesting's
#     RecordedAPI: fixture files and a routes.json; bare JSON arrays, $limit/$offset paging, an X-App-Token header);
#  3. `ingestctl new city_permits permits --from-url … --header "X-App-Token: …"` with this checkout's
#     ingestctl (the copy has not been built yet), then a second dataset of that source with
#     `--kind api` and a third without --from-url (the built-in sample); then a browser source (city_portal.listings,
#     `--kind browser`) and an export source (city_exports.permits, `--kind export`);
#  4. builds the copy from scratch with its tests (its own .build; SwiftPM's manifest cache kept in it);
#  5. runs city_permits.permits (and .inspections) on the embedded default (SQLite): 12 rows, the models
#     built, tested and published (marts.fct_city_permits__permits read with sqlite3); a rerun: 0 inserted, 0 updated;
#     city_portal.listings (headless chromium) and city_exports.permits (a CSV download) against their generated
#     fixtures served by `ingestctl fixtures serve`, twice each: 3 rows published, the rerun changes nothing;
#     then every `swift run ingestctl` command of Docs/AddingASource.md on city_permits;
#  6. runs the generated test targets CityPermitsTests, CityPortalTests, CityExportsTests (SQLite and the PostgreSQL
#     of INGEST_TEST_POSTGRES_URL),
#     and DiscoveryTests (the new folder registered; its .env.example and the untouched root one equal `ingestctl env`);
#  7. checks that git shows changes only inside the three new folders (.env and .ingest are ignored; the
#     root .env.example is not regenerated) and that the token is in no file git sees.
#
# CI (.ci/run) runs it after scripts/test.sh (it needs .build/debug/ingestctl, which the suite builds);
# alone: swift build && scripts/new-user-test.sh. It starts a private PostgreSQL on loopback
# (scripts/services.sh) unless INGEST_TEST_POSTGRES_URL is set. The first build of the copy compiles
# every dependency: about 8 minutes on 2 idle cores (measured: see Docs/AddingASource.md §1).
# Prints the duration of each step. Leaves nothing behind (the copy is removed on exit).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
ingestctl="${INGESTCTL:-$repo/.build/debug/ingestctl}"   # the ingestctl that runs `new` (this checkout's build)
[[ -x "$ingestctl" ]] || { echo "new-user-test: $ingestctl is missing: run swift build first" >&2; exit 1; }

source scripts/services.sh   # its EXIT trap stops what it started; cleanup below calls it too
use_test_postgres
work="$(mktemp -d /tmp/ingestkit-new-user.XXXXXX)"
api_pid=""; site_pid=""; serve_pid=""
cleanup() {
  # The fixture servers this script started, whichever step it stopped at: none may outlive it.
  for pid in "$api_pid" "$site_pid" "$serve_pid"; do [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  _stop_services
}
trap cleanup EXIT
step() { echo "new-user-test: $* ($((SECONDS - started)) s)"; }
started=$SECONDS

# 1. The copy, as a fresh checkout with one commit.
copy="$work/repo"
mkdir -p "$copy"
git ls-files -co --exclude-standard -z | (cd "$repo" && xargs -0 tar -cf - --) | tar -xf - -C "$copy"
[[ -f Package.resolved ]] && cp Package.resolved "$copy/"   # the same dependency versions as this checkout
(cd "$copy" && git init -q && git add -A && git -c user.name=new-user -c user.email=new-user@example.invalid commit -qm "the repository as cloned")
step "copied the repository to $copy"

# 2. The API: fixture files served by IngestTesting's RecordedAPI (`ingestctl fixtures serve`), requiring the token.
api="$work/api"
mkdir -p "$api"
python3 - "$api" <<'PY'
# A Socrata-style permits API: bare JSON arrays (numbers as strings, floating timestamps, a nested location,
# an array of contacts, Socrata's computed-region keys), 12 permits paged by $limit=5/$offset.
import json, sys
folder = sys.argv[1]
TYPES = ["PERMIT - NEW CONSTRUCTION", "PERMIT - RENOVATION/ALTERATION", "PERMIT - WRECKING/DEMOLITION"]
def permit(n):
    return {
        "permit_number": f"BP-2025-{n:04d}", "permit_type": TYPES[n % 3],
        "issue_date": f"2025-01-{n % 28 + 1:02d}T00:00:00.000", "application_start_date": f"2024-12-{n % 28 + 1:02d}",
        "estimated_cost": f"{n * 1250}.50", "total_fee": n * 12.25, "stories": n % 4 + 1, "zip_code": f"0{2100 + n}",
        "is_commercial": n % 2 == 0, "contacts": [{"contact_type": "OWNER", "name": f"Owner {n}"}],
        "location": {"latitude": f"41.{8800 + n}", "longitude": f"-87.{6300 + n}"},
        ":@computed_region_awaf_s7ux": str(n % 5 + 20),
    }
permits = [permit(n) for n in range(1, 13)]
path = "/resource/abcd-1234.json"
routes = [{"url": path + "?$limit=5", "file": "offset-0.json"}]   # the sample `ingestctl new` fetches
for offset in (0, 5, 10):
    json.dump(permits[offset:offset + 5], open(f"{folder}/offset-{offset}.json", "w"))
    routes.append({"url": f"{path}?$limit=5&$offset={offset}", "file": f"offset-{offset}.json"})
json.dump(routes, open(f"{folder}/routes.json", "w"), indent=1)
PY
token="fixture-app-token-$RANDOM$RANDOM"
"$ingestctl" fixtures serve "$api" --require-header "X-App-Token: $token" > "$work/api.url" 2> "$work/api.log" &
api_pid=$!
for _ in $(seq 1 600); do [[ -s "$work/api.url" ]] && break; kill -0 "$api_pid" 2>/dev/null || break; sleep 0.1; done
base="$(head -1 "$work/api.url")"
[[ "$base" == http://127.0.0.1:* ]] || { cat "$work/api.log" >&2; echo "new-user-test: the fixture API did not start" >&2; exit 1; }
port="${base##*:}"
step "fixture API on 127.0.0.1:$port (ingestctl fixtures serve)"

# 3. ingestctl new, from one sample page.
cd "$copy"
"$ingestctl" new city_permits permits --from-url "http://127.0.0.1:$port/resource/abcd-1234.json?\$limit=5" \
  --header "X-App-Token: $token" | tee "$work/new.txt"
grep -q "primary key: permit_number" "$work/new.txt"
# A second dataset of the source with an extractor of its own (--kind api), and a third from the built-in sample.
"$ingestctl" new city_permits inspections --kind api --key permit_number \
  --from-url "http://127.0.0.1:$port/resource/abcd-1234.json?\$limit=5" --header "X-App-Token: $token" > /dev/null
"$ingestctl" new city_permits examples > /dev/null
# A source browsed with headless chromium and one read from a CSV export (their fixtures: a page whose script
# draws the table, and a CSV file).
"$ingestctl" new city_portal listings --kind browser > /dev/null
"$ingestctl" new city_exports permits --kind export > /dev/null
step "ingestctl new: city_permits.permits (rest), .inspections (api), .examples (no --from-url); city_portal.listings (browser), city_exports.permits (export)"

# 4. The first build: from scratch, with the tests.
build_started=$SECONDS
swift build --build-tests --manifest-cache local 2>&1 | tail -3
step "first build from scratch: $((SECONDS - build_started)) s"

# The folder's .env.example, written by `new` (the token added by the second dataset), is what the build's
# `ingestctl env city_permits` prints; the root .env.example was not touched.
./.build/debug/ingestctl env city_permits | diff - Sources/Sources/CityPermits/.env.example
grep -q "^# CITY_PERMITS_BASE_URL=" Sources/Sources/CityPermits/.env.example
grep -q "^# CITY_PERMITS_API_TOKEN=\$" Sources/Sources/CityPermits/.env.example
step "Sources/Sources/CityPermits/.env.example is what ingestctl env city_permits prints"

# 5. Run on the embedded default, then again.
for dataset in permits inspections; do
./.build/debug/ingestctl run city_permits.$dataset --report "$work/run1.json" | tee "$work/run1.txt"
./.build/debug/ingestctl run city_permits.$dataset --report "$work/run2.json" | tee "$work/run2.txt"
python3 - "$work/run1.json" "$work/run2.json" <<'EOF'
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
def check(ok, what):
    if not ok:
        sys.exit(f"new-user-test: {what}")
check(first["status"] == "succeeded", f"the first run did not succeed: {first.get('error')}")
check(first["counts"]["inserted"] == 12 and first["counts"]["rejected"] == 0, f"first run counts: {first['counts']}")
check(first["counts"]["artifacts"] == 3, f"3 pages of 5, 5 and 2 (a short page ends it): {first['counts']}")
models = first["models"]
check(models["built"] == 3 and models["tests_failed"] == 0, f"models: {models}")
check(second["status"] == "succeeded", f"the rerun did not succeed: {second.get('error')}")
check(second["counts"]["inserted"] == 0 and second["counts"]["updated"] == 0 and second["counts"]["unchanged"] == 12,
      f"the rerun changed rows: {second['counts']}")
EOF
done
# The browser and export datasets, against their generated fixtures served by `ingestctl fixtures serve`: 3 rows each
# (the built-in sample), the models published; the rerun changes nothing.
for dataset in city_portal.listings city_exports.permits; do
  source_name="${dataset%%.*}"; module="$(python3 -c 'import sys; print("".join(p.title() for p in sys.argv[1].split("_")))' "$source_name")"
  ./.build/debug/ingestctl fixtures serve "Sources/Sources/$module/Tests/Fixtures" > "$work/site.url" 2> "$work/site.log" &
  site_pid=$!
  for _ in $(seq 1 600); do [[ -s "$work/site.url" ]] && break; kill -0 "$site_pid" 2>/dev/null || break; sleep 0.1; done
  site="$(head -1 "$work/site.url")"
  variable="$(echo "$source_name" | tr a-z A-Z)_BASE_URL"
  env "$variable=$site" ./.build/debug/ingestctl run "$dataset" --report "$work/run1.json" > "$work/run1.txt" 2>&1 || { cat "$work/run1.txt" >&2; kill "$site_pid"; exit 1; }
  env "$variable=$site" ./.build/debug/ingestctl run "$dataset" --report "$work/run2.json" > "$work/run2.txt" 2>&1 || { cat "$work/run2.txt" >&2; kill "$site_pid"; exit 1; }
  kill "$site_pid"; wait "$site_pid" 2>/dev/null || true
  python3 - "$work/run1.json" "$work/run2.json" "$dataset" <<'EOF'
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
def check(ok, what):
    if not ok:
        sys.exit(f"new-user-test: {sys.argv[3]}: {what}")
check(first["status"] == "succeeded", f"the first run did not succeed: {first.get('error')}")
check(first["counts"]["artifacts"] == 1 and first["counts"]["inserted"] == 3 and first["counts"]["rejected"] == 0, f"first run counts: {first['counts']}")
check(first["models"]["built"] == 3 and first["models"]["tests_failed"] == 0, f"models: {first['models']}")
check(second["status"] == "succeeded" and second["counts"]["inserted"] == 0 and second["counts"]["updated"] == 0
      and second["counts"]["unchanged"] == 3, f"the rerun: {second['counts']}")
EOF
  mart="marts.fct_${source_name}__${dataset#*.}"
  [[ "$(sqlite3 .ingest/warehouse/warehouse.sqlite "select count(*) from \"$mart\"")" == 3 ]] || { echo "new-user-test: $mart does not have 3 rows" >&2; exit 1; }
done
step "ran city_portal.listings (headless chromium) and city_exports.permits (CSV) against ingestctl fixtures serve: 3 rows each published, the reruns changed nothing"

rows="$(sqlite3 .ingest/warehouse/warehouse.sqlite 'select count(*) from "marts.fct_city_permits__permits"')"
[[ "$rows" == 12 ]] || { echo "new-user-test: marts.fct_city_permits__permits has $rows rows, not 12" >&2; exit 1; }
step "ran city_permits.permits and .inspections twice each: 12 rows published in marts.fct_city_permits__permits, the reruns changed nothing"

# 5b. Every `swift run ingestctl` command of Docs/AddingASource.md, on the generated source
#     (my_source → city_permits, orders → permits; `new` ran in step 3; files go to the scratch folder).
python3 - "$repo/Docs/AddingASource.md" > "$work/guide.txt" <<'PY'
import sys
in_bash = False
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("```"):
        in_bash = line == "```bash"
        continue
    if in_bash and line.startswith("swift run ingestctl "):
        print(line[len("swift run ingestctl "):].split("   #")[0].split("  #")[0].strip())
PY
guide=0
while read -r cmd; do
  [[ "$cmd" == new\ * ]] && continue
  cmd="${cmd//my_source/city_permits}"; cmd="${cmd//orders/permits}"; cmd="${cmd//MySource/CityPermits}"
  if [[ "$cmd" == fixtures\ serve* ]]; then
    # It serves until stopped: start it, run the dataset against what it serves (the run `record` copied), stop it.
    cmd="${cmd//--port 8765/--port 0}"
    echo "new-user-test: Docs/AddingASource.md: ingestctl $cmd (then a run against it)"
    # `exec`: the background job is ingestctl itself, so `kill "$serve_pid"` stops the server (not only a subshell).
    eval "exec ./.build/debug/ingestctl $cmd" > "$work/serve.url" 2> "$work/serve.log" &
    serve_pid=$!
    for _ in $(seq 1 600); do [[ -s "$work/serve.url" ]] && break; kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    served="$(head -1 "$work/serve.url")"
    CITY_PERMITS_BASE_URL="$served" ./.build/debug/ingestctl run city_permits.permits > "$work/guide-out.txt" 2>&1 \
      || { kill "$serve_pid"; cat "$work/serve.log" "$work/guide-out.txt" >&2; echo "new-user-test: a run against ingestctl $cmd failed" >&2; exit 1; }
    kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
    guide=$((guide + 1))
    continue
  fi
  cmd="${cmd//> .env.example/> $work/env.example}"; cmd="${cmd//--report run.json/--report $work/guide-run.json}"
  echo "new-user-test: Docs/AddingASource.md: ingestctl $cmd"
  eval "./.build/debug/ingestctl $cmd" > "$work/guide-out.txt" 2>&1 || { cat "$work/guide-out.txt" >&2; echo "new-user-test: the guide's command failed: ingestctl $cmd" >&2; exit 1; }
  guide=$((guide + 1))
done < "$work/guide.txt"
(( guide >= 8 )) || { echo "new-user-test: only $guide commands found in Docs/AddingASource.md" >&2; exit 1; }
step "the $guide ingestctl commands of Docs/AddingASource.md ran on city_permits"

# 6. The generated tests, and the repository's DiscoveryTests with the new source in (every folder registered,
#    each .env.example equal to `ingestctl env`: the root one untouched, the new folder's its own).
scripts/test-source.sh CityPermits CityPortal CityExports 2>&1 | tail -4   # the one command `ingestctl new` prints
swift test --skip-build --filter DiscoveryTests > "$work/discovery.txt" 2>&1 \
  || { grep -E "✘|Expectation failed|error" "$work/discovery.txt" >&2; echo "new-user-test: DiscoveryTests failed with the new sources in" >&2; exit 1; }
tail -2 "$work/discovery.txt"
step "the generated test targets (CityPermitsTests, CityPortalTests, CityExportsTests) and DiscoveryTests passed"

# 7. Nothing changed outside the new folder; the token is in no file git sees.
changed="$(git status --porcelain --untracked-files=all | grep -Ev ' Sources/Sources/(CityPermits|CityPortal|CityExports)/' || true)"
[[ -z "$changed" ]] || { echo "new-user-test: changes outside the new source folders:" >&2; echo "$changed" >&2; exit 1; }
git add -A Sources/Sources/CityPermits Sources/Sources/CityPortal Sources/Sources/CityExports
if git grep -q --cached -F "$token"; then echo "new-user-test: the token is in a file git sees" >&2; exit 1; fi
grep -q "^CITY_PERMITS_API_TOKEN=$token\$" .env
step "git status: only Sources/Sources/CityPermits/, CityPortal/ and CityExports/ changed ($(git diff --cached --name-only | wc -l) files); the token is only in the ignored .env"
echo "new-user-test: passed in $((SECONDS - started)) s"
