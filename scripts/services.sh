# Helpers that start the services the tests and benchmarks need, on loopback only.
# Source this file; every service started is stopped when the calling shell exits.

SERVICES_DIR="$(mktemp -d /tmp/ingestkit-services.XXXXXX)"
chmod 755 "$SERVICES_DIR"
_stop_services() {
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
        -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $SERVICES_DIR/pg -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$SERVICES_DIR/pg/server.log"; return 1; }
    _as_pg "$PGBIN/psql" -h "$SERVICES_DIR/pg" -p "$POSTGRES_PORT" -U ingest -d postgres -q -c "CREATE DATABASE ingest_test" >/dev/null
    POSTGRES_URL="postgres://ingest:$password@127.0.0.1:$POSTGRES_PORT/ingest_test"
    export POSTGRES_URL POSTGRES_PORT PGBIN
}

postgres_version() {
    "$PGBIN/postgres" --version | awk '{print $3}'
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
