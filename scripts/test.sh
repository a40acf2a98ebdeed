#!/usr/bin/env bash
# The whole test suite, against SQLite and against a private PostgreSQL on loopback,
# with S3-compatible bronze tests against moto servers on loopback.
#
# Starts PostgreSQL from a temporary folder (installing Debian's `postgresql`
# package first if its server binaries are missing), runs `swift test` with
# INGEST_TEST_POSTGRES_URL pointing at it, and stops the server on exit.
# Installs libxml2-dev (HTML parsing), chromium (browser tests) and sqlite3 (the shell the
# SQLite layout tests read the warehouse with) when missing, and apache-airflow (the
# generated DAGs' tests) into a virtual environment under .build/.
# Starts a Prometheus Pushgateway and a Prometheus server on loopback (Debian's packages,
# installed when missing) and keeps openlineage-python (PyPI) in a venv under .build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_libxml2
ensure_chromium
ensure_sqlite3
start_postgres
export INGEST_TEST_POSTGRES_URL="$POSTGRES_URL"
echo "test.sh: PostgreSQL $(postgres_version) on 127.0.0.1:$POSTGRES_PORT"
start_s3
echo "test.sh: S3 (moto) on $INGEST_TEST_S3_ENDPOINT, verifying signatures on $INGEST_TEST_S3_AUTH_ENDPOINT"
start_pushgateway
start_prometheus
echo "test.sh: Pushgateway on $INGEST_TEST_PUSHGATEWAY_URL, Prometheus on $INGEST_TEST_PROMETHEUS_URL"
ensure_openlineage_python
airflow_started=$SECONDS
ensure_airflow
echo "test.sh: Airflow $AIRFLOW_VERSION in $INGEST_TEST_AIRFLOW (ready in $((SECONDS - airflow_started)) s)"

swift build --build-tests "$@"
swift test --skip-build "$@"
