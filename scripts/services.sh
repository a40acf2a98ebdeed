# Helpers that start the services the tests and benchmarks need, on loopback only.
# Source this file; every service started is stopped when the calling shell exits.

SERVICES_DIR="$(mktemp -d /tmp/ingestkit-services.XXXXXX)"
chmod 755 "$SERVICES_DIR"
_stop_services() {
    for pid in ${S3_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
    if [ -f "$SERVICES_DIR/pgbouncer/pgbouncer.pid" ]; then kill "$(cat "$SERVICES_DIR/pgbouncer/pgbouncer.pid")" 2>/dev/null || true; fi
    if [ -n "${PGBIN:-}" ] && [ -f "$SERVICES_DIR/pg/data/postmaster.pid" ]; then
        _as_pg "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$SERVICES_DIR"
}
trap _stop_services EXIT

_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# initdb refuses to run as root: run the server as the postgres user then.
_as_pg() {
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_find_pgbin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL on a free loopback port (POSTGRES_MAX_CONNECTIONS, default 1000), user `ingest`, database
# `ingest_test`: exports POSTGRES_URL, POSTGRES_PORT, POSTGRES_PASSWORD and PGBIN.
start_postgres() {
    PGBIN="$(_find_pgbin)"
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
        echo "services.sh: installing PostgreSQL (Debian package postgresql)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        PGBIN="$(_find_pgbin)"
    fi
    if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    POSTGRES_PORT="$(_free_port)"
    local password="ingest-test-$RANDOM$RANDOM"
    mkdir -p "$SERVICES_DIR/pg"
    echo "$password" > "$SERVICES_DIR/pg/pwfile"
    [ "$(id -u)" = "0" ] && chown -R postgres "$SERVICES_DIR/pg"
    _as_pg "$PGBIN/initdb" -D "$SERVICES_DIR/pg/data" -U ingest --pwfile="$SERVICES_DIR/pg/pwfile" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$SERVICES_DIR/pg/initdb.log" 2>&1 \
        || { cat "$SERVICES_DIR/pg/initdb.log"; return 1; }
    _as_pg "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/server.log" -w -t 60 \
        -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $SERVICES_DIR/pg -c fsync=off -c max_connections=${POSTGRES_MAX_CONNECTIONS:-1000}" start >/dev/null \
        || { cat "$SERVICES_DIR/pg/server.log"; return 1; }
    _as_pg "$PGBIN/psql" -h "$SERVICES_DIR/pg" -p "$POSTGRES_PORT" -U ingest -d postgres -q -c "CREATE DATABASE ingest_test" >/dev/null
    POSTGRES_URL="postgres://ingest:$password@127.0.0.1:$POSTGRES_PORT/ingest_test"
    POSTGRES_PASSWORD="$password"
    export POSTGRES_URL POSTGRES_PORT POSTGRES_PASSWORD PGBIN
}

# Debian's PgBouncer in front of start_postgres's server, on a free loopback port, in transaction mode
# (default_pool_size PGBOUNCER_POOL_SIZE, default 10): exports PGBOUNCER_URL and PGBOUNCER_PORT.
start_pgbouncer() {
    if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
        echo "services.sh: installing pgbouncer (Debian package pgbouncer)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
    fi
    PGBOUNCER_PORT="$(_free_port)"
    local dir="$SERVICES_DIR/pgbouncer"
    mkdir -p "$dir"
    printf '"ingest" "%s"\n' "$POSTGRES_PASSWORD" > "$dir/userlist.txt"
    cat > "$dir/pgbouncer.ini" <<INI
[databases]
ingest_test = host=127.0.0.1 port=$POSTGRES_PORT dbname=ingest_test
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = ${PGBOUNCER_POOL_SIZE:-10}
max_client_conn = 500
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    [ "$(id -u)" = "0" ] && chown -R postgres "$dir"
    _as_pg "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -d "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log"; return 1; }
    _wait_for_tcp "$PGBOUNCER_PORT" || { cat "$dir/pgbouncer.log"; return 1; }
    PGBOUNCER_URL="postgres://ingest:$POSTGRES_PASSWORD@127.0.0.1:$PGBOUNCER_PORT/ingest_test"
    export PGBOUNCER_URL PGBOUNCER_PORT
}

# For a test script: the PostgreSQL of INGEST_TEST_POSTGRES_URL, or one started here (stopped when the
# shell exits; a script with an EXIT trap of its own calls _stop_services from it) and exported as it.
use_test_postgres() {
    if [ -z "${INGEST_TEST_POSTGRES_URL:-}" ]; then
        start_postgres
        export INGEST_TEST_POSTGRES_URL="$POSTGRES_URL"
    fi
}

postgres_version() {
    "$PGBIN/postgres" --version | awk '{print $3}'
}

# Waits until something accepts TCP connections on 127.0.0.1:$1 (no HTTP request:
# a verifying moto counts every request, even a probe, against its unchecked calls).
_wait_for_tcp() {
    python3 - "$1" <<'PY'
import socket, sys, time
deadline = time.time() + 60
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("services.sh: nothing listens on 127.0.0.1:%s after 60 s" % sys.argv[1])
        time.sleep(0.1)
PY
}

# One moto S3 server on a free loopback port; extra environment as arguments. Prints the port.
_start_moto() {
    local port
    port="$(_free_port)"
    env "$@" python3 -m moto.server -H 127.0.0.1 -p "$port" >"$SERVICES_DIR/moto-$port.log" 2>&1 &
    S3_PIDS="${S3_PIDS:-} $!"
    _wait_for_tcp "$port" || { cat "$SERVICES_DIR/moto-$port.log"; return 1; }
    MOTO_PORT="$port"
}

# Two S3-compatible servers (moto) on loopback:
# - INGEST_TEST_S3_ENDPOINT: checks no signature, for the functional tests;
# - INGEST_TEST_S3_AUTH_ENDPOINT: verifies SigV4 for the key pair in
#   INGEST_TEST_S3_AUTH_ACCESS_KEY / INGEST_TEST_S3_AUTH_SECRET_KEY. Its first three
#   calls run unchecked and create that IAM user, its key and an s3:* policy.
start_s3() {
    if ! python3 -c 'import moto.server, flask, boto3' >/dev/null 2>&1; then
        echo "services.sh: installing moto[server] from PyPI"
        python3 -m pip install -q 'moto[server]'
    fi
    _start_moto || return 1
    INGEST_TEST_S3_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
    _start_moto INITIAL_NO_AUTH_ACTION_COUNT=3 || return 1
    INGEST_TEST_S3_AUTH_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
    local keys
    keys="$(python3 - "$INGEST_TEST_S3_AUTH_ENDPOINT" <<'PY'
import json, sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="ingest")
key = iam.create_access_key(UserName="ingest")["AccessKey"]
iam.put_user_policy(UserName="ingest", PolicyName="s3-all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
)" || return 1
    INGEST_TEST_S3_AUTH_ACCESS_KEY="${keys%% *}"
    INGEST_TEST_S3_AUTH_SECRET_KEY="${keys#* }"
    export INGEST_TEST_S3_ENDPOINT INGEST_TEST_S3_AUTH_ENDPOINT INGEST_TEST_S3_AUTH_ACCESS_KEY INGEST_TEST_S3_AUTH_SECRET_KEY
}

# A headless browser for the browser sources and their tests (Debian's chromium, ~22 s).
ensure_chromium() {
    if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then return 0; fi
    if ! command -v chromium >/dev/null 2>&1; then
        echo "services.sh: installing chromium (Debian package chromium)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
}

# libxml2's headers for the HTML parser (the CLibXML2 system-library target).
ensure_libxml2() {
    if [ ! -f /usr/include/libxml2/libxml/HTMLparser.h ]; then
        echo "services.sh: installing libxml2-dev"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-dev pkg-config >/dev/null
    fi
}

# Debian's Prometheus server and Pushgateway (issue 9's monitoring peers).
ensure_monitoring() {
    if ! command -v prometheus >/dev/null 2>&1 || ! command -v prometheus-pushgateway >/dev/null 2>&1; then
        echo "services.sh: installing prometheus and prometheus-pushgateway (Debian packages)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus prometheus-pushgateway >/dev/null
    fi
}

# Waits until GET http://127.0.0.1:$1$2 answers 200 (60 s at most).
_wait_for_http() {
    python3 - "$1" "$2" <<'PY'
import sys, time, urllib.request
deadline = time.time() + 60
url = "http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2])
while True:
    try:
        if urllib.request.urlopen(url, timeout=5).status == 200:
            break
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit("services.sh: %s did not answer 200 within 60 s" % url)
    time.sleep(0.2)
PY
}

# A Pushgateway on a free loopback port: INGEST_TEST_PUSHGATEWAY_URL.
start_pushgateway() {
    ensure_monitoring
    local port
    port="$(_free_port)"
    prometheus-pushgateway --web.listen-address="127.0.0.1:$port" >"$SERVICES_DIR/pushgateway.log" 2>&1 &
    S3_PIDS="${S3_PIDS:-} $!"
    _wait_for_http "$port" /-/ready || { cat "$SERVICES_DIR/pushgateway.log"; return 1; }
    INGEST_TEST_PUSHGATEWAY_URL="http://127.0.0.1:$port"
    export INGEST_TEST_PUSHGATEWAY_URL
}

# A Prometheus server on a free loopback port (INGEST_TEST_PROMETHEUS_URL) that scrapes, every
# 5 s (a generous scrape timeout on a busy machine), the targets a test lists as JSON files in
# INGEST_TEST_PROMETHEUS_TARGETS (file_sd, re-read every second).
start_prometheus() {
    ensure_monitoring
    local port dir
    port="$(_free_port)"
    dir="$SERVICES_DIR/prometheus"
    mkdir -p "$dir/targets" "$dir/data"
    cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 5s
  scrape_timeout: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: ingestctl-serve
    file_sd_configs:
      - files: ["$dir/targets/*.json"]
        refresh_interval: 1s
YML
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" >"$dir/prometheus.log" 2>&1 &
    S3_PIDS="${S3_PIDS:-} $!"
    _wait_for_http "$port" /-/ready || { cat "$dir/prometheus.log"; return 1; }
    INGEST_TEST_PROMETHEUS_URL="http://127.0.0.1:$port"
    INGEST_TEST_PROMETHEUS_TARGETS="$dir/targets"
    export INGEST_TEST_PROMETHEUS_URL INGEST_TEST_PROMETHEUS_TARGETS
}

# openlineage-python (PyPI) in a venv cached under .build, for checking OpenLineage events:
# INGEST_TEST_OPENLINEAGE_PYTHON is its python.
ensure_openlineage_python() {
    local venv=".build/venv-openlineage"
    if ! "$venv/bin/python" -c 'import openlineage.client.event_v2' >/dev/null 2>&1; then
        echo "services.sh: installing openlineage-python from PyPI into $venv"
        rm -rf "$venv"
        mkdir -p .build
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install -q 'openlineage-python>=1.54,<2'
    fi
    INGEST_TEST_OPENLINEAGE_PYTHON="$(pwd)/$venv/bin/python"
    export INGEST_TEST_OPENLINEAGE_PYTHON
}

# The sqlite3 shell, which the tests use to read the embedded warehouse as a user would.
ensure_sqlite3() {
    if ! command -v sqlite3 >/dev/null 2>&1; then
        echo "services.sh: installing sqlite3 (Debian package sqlite3)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
    fi
}

# Apache Airflow for the DAG tests, in a virtual environment cached under .build/
# (a second run finds it and skips the install, which takes about a minute).
# Exports INGEST_TEST_AIRFLOW, the environment's folder.
AIRFLOW_VERSION="3.3.2"
ensure_airflow() {
    local venv=".build/airflow-$AIRFLOW_VERSION"
    if [ "$("$venv/bin/python" -c "from importlib.metadata import version; print(version('apache-airflow'))" 2>/dev/null)" != "$AIRFLOW_VERSION" ]; then
        echo "services.sh: installing apache-airflow==$AIRFLOW_VERSION from PyPI into $venv"
        rm -rf "$venv"
        mkdir -p .build
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "apache-airflow==$AIRFLOW_VERSION"
    fi
    INGEST_TEST_AIRFLOW="$(cd "$venv" && pwd)"
    export INGEST_TEST_AIRFLOW
}
