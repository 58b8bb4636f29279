#!/usr/bin/env python3
"""Workload helpers for bench/single-db, run as separate processes so they do not share a GIL with the harness.

  workload.py writer DB OUT.json RATE:SECS[,RATE:SECS...]
      Commits one row per transaction (ids 1, 2, 3, ... continuing after max(id)) at a paced rate and
      records the CLOCK_MONOTONIC time at which each COMMIT returned.
  workload.py watch REPLICA_DIR ARCHIVE_DIR OUT.jsonl STOP_FILE
      Polls REPLICA_DIR/ltx/*/ every POLL_MS (default 5 ms). Whenever the set of *.ltx files changes it
      hard-links every new file into ARCHIVE_DIR/<level>/ (so later deletion by compaction/retention does not
      lose it) and appends {"t": <monotonic time after the listing and links>, "files": [...]} to OUT.jsonl.
      Both replicators publish LTX files with write-to-temp + rename(2), so a listed *.ltx file is complete.
"""
import json
import os
import sqlite3
import sys
import time
from array import array


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def writer(db, out, plan):
    steps = [(float(r), float(s)) for r, s in (p.split(":") for p in plan.split(","))]
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, ts REAL, payload BLOB)")
    next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM t").fetchone()[0]) + 1
    first_id = next_id
    times = array("d")
    step_bounds = []
    busy_errors = 0
    insert = "INSERT INTO t(id, ts, payload) VALUES (?, ?, randomblob(100))"
    for rate, secs in steps:
        t0 = now()
        end = t0 + secs
        i = 0
        step_first = next_id
        while True:
            due = t0 + i / rate
            if due >= end:
                break
            t = now()
            if t < due:
                time.sleep(due - t)
            while True:
                try:
                    conn.execute(insert, (next_id, time.time()))
                    break
                except sqlite3.OperationalError as e:  # SQLITE_BUSY past the 30 s timeout: count, retry
                    busy_errors += 1
                    print(f"writer: {e}", file=sys.stderr)
            times.append(now())
            next_id += 1
            i += 1
        step_bounds.append({"rate": rate, "secs": secs, "t0": t0, "t1": now(),
                            "first_id": step_first, "last_id": next_id - 1})
    conn.close()
    with open(out, "w") as f:
        json.dump({"first_id": first_id, "times": list(times), "steps": step_bounds,
                   "busy_errors": busy_errors}, f)


def list_ltx(replica):
    files = set()
    root = os.path.join(replica, "ltx")
    try:
        levels = os.listdir(root)
    except FileNotFoundError:
        return files
    for lvl in levels:
        try:
            for e in os.scandir(os.path.join(root, lvl)):
                if e.name.endswith(".ltx"):
                    files.add(f"{lvl}/{e.name}")
        except FileNotFoundError:
            pass
    return files


def watch(replica, archive, out, stop_file):
    poll = float(os.environ.get("POLL_MS", "5")) / 1000
    archived = set()
    last = None
    with open(out, "w") as f:
        while not os.path.exists(stop_file):
            files = list_ltx(replica)
            if files != last:
                present = set()
                for name in files:
                    if name not in archived:
                        os.makedirs(os.path.join(archive, os.path.dirname(name)), exist_ok=True)
                        try:
                            os.link(os.path.join(replica, "ltx", name), os.path.join(archive, name))
                        except FileNotFoundError:
                            continue  # deleted between listing and linking: it was not there to restore
                        except FileExistsError:
                            pass
                        archived.add(name)
                    present.add(name)
                f.write(json.dumps({"t": now(), "files": sorted(present)}) + "\n")
                f.flush()
                last = files
            time.sleep(poll)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "writer":
        writer(*sys.argv[2:5])
    elif cmd == "watch":
        watch(*sys.argv[2:6])
    else:
        sys.exit(f"unknown command {cmd}")
