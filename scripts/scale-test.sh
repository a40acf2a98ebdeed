#!/usr/bin/env bash
# Scale test (issue 19): many `ingestctl run` processes at once on one PostgreSQL (max_connections=40),
# half of them through Debian's PgBouncer in transaction mode (default_pool_size=10), half direct.
# Passes when every run succeeds with one ledger row, no advisory lock or dataset lease is left after
# they exit, pooled server connections keep the default lock_timeout, no two runs of a dataset held its
# lease at once, no deadlock was reported and every run's models were published. Part two kills a lease
# holder with SIGKILL and shows the next run of its dataset taking over once the lease expires.
# Prints the figures of issue 19 item 8: tasks per minute, connections per process, lock waits.
#
# Usage: scripts/scale-test.sh   (SCALE_RUNS, default 40; SCALE_DATASETS, default the 8 acme_stores datasets, whose
#                                 models all rebuild the shared marts dim_store and fct_store_sales, and the 2
#                                 acme_portal datasets, which both rebuild fct_orders;
#                                 SCALE_MAX_CONNECTIONS, the server's max_connections, default 40)
# Every wait is for a condition (a process exit, a row), bounded by a generous deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

RUNS="${SCALE_RUNS:-40}"
read -r -a DATASETS <<< "${SCALE_DATASETS:-acme_stores.amsterdam acme_stores.berlin acme_stores.dublin acme_stores.lisbon acme_stores.madrid acme_stores.milan acme_stores.oslo acme_stores.paris acme_portal.orders acme_portal.customers}"
swift build --product ingestctl 2>&1 | tail -1
BIN="$PWD/.build/debug/ingestctl"
POSTGRES_MAX_CONNECTIONS="${SCALE_MAX_CONNECTIONS:-40}" start_postgres
start_pgbouncer
export PGPASSWORD="$POSTGRES_PASSWORD"
psql_direct() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$POSTGRES_PORT" -U ingest -d ingest_test "$@"; }
psql_pooled() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U ingest -d ingest_test "$@"; }
WORK="$SERVICES_DIR/scale"
mkdir -p "$WORK"
failures=0
check() {  # check "what" actual expected
    if [ "$2" = "$3" ]; then echo "ok: $1 ($2)"; else echo "FAILED: $1: got $2, expected $3"; failures=$((failures + 1)); fi
}

echo "== setup once per deploy"
WAREHOUSE_URL="$POSTGRES_URL" INGEST_HOME="$WORK/setup" "$BIN" setup "${DATASETS[@]}"

echo "== $RUNS runs at once over ${#DATASETS[@]} datasets, half through PgBouncer (transaction mode, pool 10), half direct"
# Connections per process, sampled on the server: each process's connections carry `ingestkit <pid>` (PgBouncer
# passes it on to the server connection a pooled client is using).
( while [ ! -f "$WORK/done" ]; do
      psql_direct -c "SELECT to_char(clock_timestamp(), 'HH24:MI:SS.MS'), application_name, count(*) FROM pg_stat_activity
                      WHERE application_name LIKE 'ingestkit %' GROUP BY 2" >> "$WORK/samples.txt" 2>/dev/null || true
      psql_direct -c "SELECT 'total', count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'" >> "$WORK/totals.txt" 2>/dev/null || true
  done ) &
sampler=$!
pids=()
start=$(date +%s.%N)
for i in $(seq 0 $((RUNS - 1))); do
    dataset="${DATASETS[$((i % ${#DATASETS[@]}))]}"
    if [ $(((i / ${#DATASETS[@]}) % 2)) = 1 ]; then url="$PGBOUNCER_URL"; via=pooled; else url="$POSTGRES_URL"; via=direct; fi
    mkdir -p "$WORK/$i"
    echo "$dataset $via" > "$WORK/$i/what"
    ( cd "$WORK/$i" && env WAREHOUSE_URL="$url" INGEST_HOME="$WORK/$i/.ingest" ACME_PORTAL_DEMO_PORT="$(_free_port)" ACME_STORES_DEMO_PORT="$(_free_port)" \
          INGEST_LOCK_WAIT_SECONDS=1800 "$BIN" run "$dataset" --report "$WORK/$i/report.json" > "$WORK/$i/out.txt" 2>&1 \
          && echo 0 > "$WORK/$i/rc" || echo $? > "$WORK/$i/rc" ) &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
end=$(date +%s.%N)
touch "$WORK/done"
wait "$sampler" || true

succeeded=$(grep -lx 0 "$WORK"/*/rc | wc -l)
check "runs that exited 0" "$succeeded" "$RUNS"
if [ "$succeeded" != "$RUNS" ]; then
    for i in $(seq 0 $((RUNS - 1))); do
        [ "$(cat "$WORK/$i/rc")" = 0 ] || { echo "--- run $i ($(cat "$WORK/$i/what")) exited $(cat "$WORK/$i/rc"):"; grep -v '^  SUCCESS' "$WORK/$i/out.txt" | tail -25; }
    done
fi
python3 - "$WORK" "$RUNS" > "$WORK/report-checks.txt" <<'PY'
import json, sys, os
work, runs = sys.argv[1], int(sys.argv[2])
ids, unpublished = [], []
for i in range(runs):
    path = os.path.join(work, str(i), "report.json")
    if not os.path.exists(path):
        unpublished.append(f"{i}: no report"); continue
    report = json.load(open(path))
    ids.append(report["run_id"])
    models = report.get("models") or {}
    if report.get("models_published") is not True or models.get("failed", 0) or models.get("skipped", 0) or not models.get("built"):
        unpublished.append(f"{i}: models_published={report.get('models_published')} models={models}")
print(" ".join(ids))
print(len(unpublished))
for line in unpublished: print(line, file=sys.stderr)
PY
ids=$(sed -n 1p "$WORK/report-checks.txt")
check "runs whose models were all published without error" "$(sed -n 2p "$WORK/report-checks.txt")" 0
id_list=$(printf "'%s'," $ids); id_list="${id_list%,}"
check "ledger rows of these runs, one each, succeeded" \
    "$(psql_direct -c "SELECT count(DISTINCT run_id) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM staging.ingestion_state WHERE run_id IN ($id_list)")" "$RUNS/$RUNS"
check "advisory locks left after every process exited" "$(psql_direct -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" 0
check "dataset leases left held" "$(psql_direct -c "SELECT count(*) FROM staging.dataset_leases WHERE released_at IS NULL")" 0
check "overlapping lease intervals of one dataset" "$(psql_direct -c "
    SELECT count(*) FROM staging.dataset_leases a JOIN staging.dataset_leases b
      ON a.dataset = b.dataset AND a.lease_id < b.lease_id AND a.acquired_at < b.released_at AND b.acquired_at < a.released_at")" 0
check "leases taken (one per run)" "$(psql_direct -c "SELECT count(*) FROM staging.dataset_leases WHERE holder_run_id IN ($id_list)")" "$RUNS"
check "outputs reporting a deadlock (40P01)" "$(cat "$WORK"/*/out.txt | grep -ci 'deadlock\|40P01' || true)" 0
check "deadlocks the server detected in the database" "$(psql_direct -c "SELECT deadlocks FROM pg_stat_database WHERE datname = 'ingest_test'")" 0
grep -i 'deadlock\|40P01' "$WORK"/*/out.txt | head -5 || true

echo "== lock_timeout on pooled server connections held open at once"
# Each probe holds its own server connection: its transaction waits on a lock a direct session holds.
probes=8
( psql_direct -c "SELECT pg_advisory_lock(4242)" -c "\\! while [ ! -f $WORK/release ]; do sleep 0.05; done" ) &
holder=$!
deadline=$((SECONDS + 120))
until [ "$(psql_direct -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" = 1 ]; do
    [ $SECONDS -lt $deadline ] || { echo "the lock holder did not start"; exit 1; }; sleep 0.05
done
for p in $(seq 1 $probes); do
    psql_pooled -c "BEGIN" -c "SELECT pg_backend_pid() || ' ' || current_setting('lock_timeout')" \
        -c "SELECT 1 FROM (SELECT pg_advisory_xact_lock_shared(4242)) AS waited" -c "COMMIT" > "$WORK/probe-$p.txt" &
done
until [ "$(psql_direct -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" = "$probes" ]; do
    [ $SECONDS -lt $deadline ] || { echo "the probes did not all wait"; exit 1; }; sleep 0.05
done
touch "$WORK/release"
wait "$holder"
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || true; done
check "distinct pooled server connections probed" "$(cat "$WORK"/probe-*.txt | awk 'NF == 2 {print $1}' | sort -u | wc -l)" "$probes"
check "probes whose lock_timeout is not the default 0" "$(cat "$WORK"/probe-*.txt | awk 'NF == 2 && $2 != "0"' | wc -l)" 0

echo "== figures (issue 19 item 8)"
python3 - "$start" "$end" "$RUNS" "$WORK/samples.txt" "$WORK/totals.txt" "${SCALE_MAX_CONNECTIONS:-40}" <<'PY'
import sys, collections
start, end, runs = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
peaks = collections.defaultdict(int)
for line in open(sys.argv[4]):
    parts = line.strip().split("|")
    if len(parts) == 3: peaks[parts[1]] = max(peaks[parts[1]], int(parts[2]))
totals = [int(l.split("|")[1]) for l in open(sys.argv[5]) if "|" in l]
minutes = (end - start) / 60
print(f"tasks: {runs} in {end - start:.1f} s = {runs / minutes:.1f} tasks/minute")
if peaks:
    values = sorted(peaks.values())
    print(f"connections per process (peak of each, sampled on the server by application_name; {len(values)} processes seen): "
          f"mean {sum(values) / len(values):.2f}, peak {values[-1]}")
if totals:
    print(f"server client connections (sampled): peak {max(totals)} of max_connections {sys.argv[6]}")
PY
psql_direct -F ' ' -c "
    SELECT 'lock waits: ' || count(*) FILTER (WHERE wait > 1) || ' of ' || count(*) || ' runs waited over 1 s for their dataset lease; mean '
        || round(avg(wait)::numeric, 1) || ' s, max ' || round(max(wait)::numeric, 1) || ' s'
    FROM (SELECT extract(epoch FROM l.acquired_at - s.started_at::timestamptz) AS wait
          FROM staging.ingestion_state s JOIN staging.dataset_leases l ON l.holder_run_id = s.run_id
          WHERE s.run_id IN ($id_list)) AS waits"

echo "== a killed lease holder is taken over once its lease expires"
lease=5
kill_home="$WORK/killed"
mkdir -p "$kill_home"
( cd "$kill_home" && exec env WAREHOUSE_URL="$PGBOUNCER_URL" INGEST_HOME="$kill_home/.ingest" ACME_PORTAL_DEMO_PORT="$(_free_port)" \
      ACME_PORTAL_DEMO_ROWS=200000 INGEST_LOCK_LEASE_SECONDS=$lease "$BIN" run acme_portal.orders > "$kill_home/out.txt" 2>&1 ) &
victim=$!
deadline=$((SECONDS + 300))
held=""
until [ -n "$held" ]; do
    kill -0 "$victim" 2>/dev/null || { echo "FAILED: the holder finished before it could be killed"; cat "$kill_home/out.txt"; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "FAILED: the holder never took its lease"; exit 1; }
    # Held, and its ledger row written (a run writes it just after it takes the lease): killed from then on, its row must be closed.
    held=$(psql_direct -c "SELECT l.holder_run_id FROM staging.dataset_leases l JOIN staging.ingestion_state s ON s.run_id = l.holder_run_id
                           WHERE l.dataset = 'acme_portal.orders' AND l.released_at IS NULL AND s.status = 'running'")
    [ -n "$held" ] || sleep 0.05
done
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
echo "killed run $held while it held the lease on acme_portal.orders"
next_home="$WORK/next"
mkdir -p "$next_home"
( cd "$next_home" && env WAREHOUSE_URL="$POSTGRES_URL" INGEST_HOME="$next_home/.ingest" ACME_PORTAL_DEMO_PORT="$(_free_port)" \
      INGEST_LOCK_LEASE_SECONDS=$lease "$BIN" run acme_portal.orders --report "$next_home/report.json" > "$next_home/out.txt" 2>&1 ) \
    && next_rc=0 || next_rc=$?
check "the next run's exit status" "$next_rc" 0
check "the next run says it took over" "$(grep -c "took over the lease on acme_portal.orders of run $held" "$next_home/out.txt" || true)" 1
check "the killed run's lease lapsed at its expiry, and the next was taken after it" "$(psql_direct -c "
    SELECT k.lapsed AND k.released_at = k.expires_at AND n.acquired_at >= k.expires_at
    FROM staging.dataset_leases k, staging.dataset_leases n
    WHERE k.holder_run_id = '$held' AND n.holder_run_id = '$(python3 -c "import json; print(json.load(open('$next_home/report.json'))['run_id'])")'")" t
check "the killed run's ledger row" "$(psql_direct -c "SELECT status || ': ' || left(error_message, 12) FROM staging.ingestion_state WHERE run_id = '$held'")" "failed: interrupted:"

if [ "$failures" = 0 ]; then echo "scale test passed"; else echo "scale test FAILED: $failures checks"; exit 1; fi
