#!/usr/bin/env bash
# Benchmark: the acme_portal models on a private PostgreSQL on loopback.
# Prints `ingestctl models build` against psql -f of the same statements, and the fixed overhead.
# Usage: scripts/bench-models.sh [ROWS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
swift build -c release --product ingestctl
swift build -c release --product ingestbench
start_postgres
PATH="$PGBIN:$PATH" .build/release/ingestbench models --rows "${1:-1000000}" --warehouse-url "$POSTGRES_URL"
