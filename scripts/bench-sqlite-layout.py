#!/usr/bin/env python3
"""The SQLite layouts the embedded warehouse could use, measured side by side in one run.

  one file    every schema in warehouse.sqlite, tables named "schema.table" (the layout IngestKit uses)
  attached    one file per schema, ATTACHed under the schema's name (the layout before; at most 10 per connection)

For SOURCES sources of ROWS rows each it measures: each source's load as a run does it (rows into the
source's table and a ledger row in staging, one transaction), a query joining three sources, the same
query with its schemas attached and detached around it (attachments managed per statement), what
SQLite says to a DETACH inside the transaction that wrote the schema, and one statement reading every
source. Python's sqlite3 module is used as the SQLite driver;
the engine and the file format are the same as sqlite-nio's (see the version printed).

Usage: scripts/bench-sqlite-layout.py [--sources 15] [--rows 20000] [--repeat 3]
"""
import argparse
import os
import sqlite3
import statistics
import tempfile
import time

COLUMNS = "id TEXT NOT NULL, name TEXT, amount DECIMAL_TEXT, quantity INTEGER, checksum_sha256 TEXT NOT NULL, PRIMARY KEY (id)"
LEDGER = "run_id TEXT PRIMARY KEY, source TEXT NOT NULL, rows_inserted INTEGER NOT NULL"


def rows(source, count):
    return [(f"I{i}", f"item {i} of {source}", f"{i}.10", i, f"{source}-{i:064d}") for i in range(count)]


def connect(path):
    # Autocommit mode: transactions are written out as the warehouse does (BEGIN IMMEDIATE … COMMIT).
    return sqlite3.connect(path, isolation_level=None)


def one_file(folder, sources, count):
    db = connect(os.path.join(folder, "warehouse.sqlite"))
    db.execute(f'CREATE TABLE "staging.ingestion_state" ({LEDGER})')
    started = time.perf_counter()
    for s in sources:
        db.execute(f'CREATE TABLE "{s}.items" ({COLUMNS})')
        db.execute("BEGIN IMMEDIATE")
        db.executemany(f'INSERT INTO "{s}.items" VALUES (?, ?, ?, ?, ?)', rows(s, count))
        db.execute('INSERT INTO "staging.ingestion_state" VALUES (?, ?, ?)', (f"run-{s}", s, count))
        db.execute("COMMIT")
    return db, time.perf_counter() - started


def attached(folder, sources, count):
    db = connect(os.path.join(folder, "main.sqlite"))
    db.execute(f"ATTACH '{os.path.join(folder, 'staging.sqlite')}' AS staging")
    db.execute(f"CREATE TABLE staging.ingestion_state ({LEDGER})")
    started = time.perf_counter()
    for s in sources:
        # A run attaches its source's file (and staging, attached above) and detaches it when done.
        db.execute(f"ATTACH '{os.path.join(folder, s + '.sqlite')}' AS {s}")
        db.execute(f"CREATE TABLE {s}.items ({COLUMNS})")
        db.execute("BEGIN IMMEDIATE")
        db.executemany(f"INSERT INTO {s}.items VALUES (?, ?, ?, ?, ?)", rows(s, count))
        db.execute("INSERT INTO staging.ingestion_state VALUES (?, ?, ?)", (f"run-{s}", s, count))
        db.execute("COMMIT")
        db.execute(f"DETACH {s}")
    return db, time.perf_counter() - started


def join_sql(names):
    a, b, c = names
    return f"SELECT count(*), sum(x.quantity + y.quantity + z.quantity) FROM {a} x JOIN {b} y ON y.id = x.id JOIN {c} z ON z.id = x.id"


def timed(repeat, action):
    results = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        results.append(time.perf_counter() - started)
    return statistics.median(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=15)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sources = [f"gen_{n:02d}" for n in range(1, args.sources + 1)]
    print(f"SQLite {sqlite3.sqlite_version}, {args.sources} sources x {args.rows} rows, median of {args.repeat}")

    loads = {"one file": [], "attached": []}
    for _ in range(args.repeat):
        for name, layout in (("one file", one_file), ("attached", attached)):
            with tempfile.TemporaryDirectory() as folder:
                db, seconds = layout(folder, sources, args.rows)
                loads[name].append(seconds)
                db.close()
    base = statistics.median(loads["one file"])
    total = args.sources * args.rows
    for name, values in loads.items():
        seconds = statistics.median(values)
        print(f"load, a transaction per source ({name:8s}): {seconds:7.3f} s  {total / seconds:10.0f} rows/s  x{seconds / base:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        one, _ = one_file(folder + "/", sources[:3], args.rows)
        query = join_sql([f'"{s}.items"' for s in sources[:3]])
        baseline = timed(args.repeat * 10, lambda: one.execute(query).fetchall())
        print(f"join of three sources (one file):            {baseline * 1000:8.2f} ms")
        legacy = os.path.join(folder, "legacy")
        os.mkdir(legacy)
        db, _ = attached(legacy, sources[:3], args.rows)
        attached_query = join_sql([f"{s}.items" for s in sources[:3]])

        def per_statement():
            for s in sources[:3]:
                db.execute(f"ATTACH '{os.path.join(legacy, s + '.sqlite')}' AS {s}")
            db.execute(attached_query).fetchall()
            for s in sources[:3]:
                db.execute(f"DETACH {s}")

        managed = timed(args.repeat * 10, per_statement)
        print(f"same join, attached and detached around it:  {managed * 1000:8.2f} ms  x{managed / baseline:.2f}")
        for s in sources[:3]:
            db.execute(f"ATTACH '{os.path.join(legacy, s + '.sqlite')}' AS {s}")
        steady = timed(args.repeat * 10, lambda: db.execute(attached_query).fetchall())
        print(f"same join, schemas kept attached:            {steady * 1000:8.2f} ms  x{steady / baseline:.2f}")
        db.execute("BEGIN IMMEDIATE")
        db.execute(f"INSERT INTO {sources[0]}.items VALUES ('x', 'x', '1', 1, 'x')")
        try:
            db.execute(f"DETACH {sources[0]}")
            print("DETACH of a schema the open transaction wrote: accepted")
        except sqlite3.OperationalError as error:
            print(f"DETACH of a schema the open transaction wrote: refused ({error})")
        db.execute("ROLLBACK")
        db.close()

    with tempfile.TemporaryDirectory() as folder:
        one, _ = one_file(folder + "/", sources, min(args.rows, 1000))
        union = " UNION ALL ".join(f'SELECT id, quantity FROM "{s}.items"' for s in sources)
        seconds = timed(args.repeat, lambda: one.execute(f"SELECT count(*) FROM ({union})").fetchall())
        print(f"one statement reading all {len(sources)} sources (one file): {seconds * 1000:8.2f} ms")
        one.close()
        legacy = os.path.join(folder, "legacy")
        os.mkdir(legacy)
        db = connect(os.path.join(legacy, "main.sqlite"))
        try:
            for s in ["staging", "intermediate", "marts"] + sources:
                db.execute(f"ATTACH '{os.path.join(legacy, s + '.sqlite')}' AS {s}")
            print(f"one statement reading all {len(sources)} sources (attached): possible")
        except sqlite3.OperationalError as error:
            print(f"one statement reading all {len(sources)} sources (attached): impossible, refused at {s} ({error})")
        db.close()
        one.close()


if __name__ == "__main__":
    main()
