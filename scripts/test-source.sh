#!/usr/bin/env bash
# One source's tests, the way `ingestctl new` prints them:
#
#   scripts/test-source.sh <Name> [<Name>…] [swift test options]   e.g. scripts/test-source.sh CityPermits
#
# <Name> is the source's folder under Sources/Sources/; its tests are the target <Name>Tests. Starts only what a
# source's tests need: a private PostgreSQL on loopback for their PostgreSQL case (unless INGEST_TEST_POSTGRES_URL
# is set: then that server is used), chromium for a browser source, libxml2 for the build; stops what it started on
# exit. (scripts/test.sh runs the whole suite and starts every service.) SwiftPM links every test target into one
# bundle, so the build compiles all of them; the run is only <Name>Tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

names=()
while [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; do names+=("$1"); shift; done
if [ ${#names[@]} = 0 ]; then
    echo "usage: scripts/test-source.sh <Name> [<Name>…] [swift test options]: a folder of Sources/Sources/ ($(ls Sources/Sources | tr '\n' ' '))" >&2
    exit 2
fi
filter=""
for name in "${names[@]}"; do
    if [ ! -d "Sources/Sources/$name" ]; then
        echo "test-source.sh: there is no folder Sources/Sources/$name (the sources: $(ls Sources/Sources | tr '\n' ' '))" >&2
        exit 2
    fi
    if grep -rqs --include='*.swift' "Browser" "Sources/Sources/$name"; then ensure_chromium; fi
    filter="${filter:+$filter|}${name}Tests"
done
ensure_libxml2
use_test_postgres
echo "test-source.sh: PostgreSQL for the tests at ${INGEST_TEST_POSTGRES_URL%%@*}@…; running $filter"
swift build --build-tests "$@"
swift test --skip-build --filter "$filter" "$@"
