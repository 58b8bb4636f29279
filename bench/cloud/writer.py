#!/usr/bin/env python3
"""Fleet writer: every listed database commits once a second, each at its own fixed offset inside the second.

    writer.py --list PATHS.txt --secs S --out COMMITS.tsv [--threads 4] [--seed 1] [--blob 1024]

One autocommit INSERT of zeroblob(BLOB) per commit (WAL, synchronous=NORMAL, connections held open). With the
databases' 1024-byte pages every commit allocates at least one new overflow page and nothing is ever freed, so the
database's page count grows strictly with every commit: a replica file whose LTX header says "database size >= the
page count read right after commit k" necessarily contains commit k. The harness uses that to tell when each commit
reached the store.

Output (written at the end): a first line `# start <monotonic>`, then one line per commit
    db_index  k  t_due  t_commit  page_count
with CLOCK_MONOTONIC seconds (system-wide, the proxy's clock too). Errors go to stderr and are counted in the last
line `# errors <n>`. Threads split the databases; the sqlite3 module releases the GIL while SQLite works.
"""
import argparse
import heapq
import random
import sqlite3
import sys
import threading
import time


def open_db(path):
    """An autocommit connection as an application holds it (WAL, synchronous=NORMAL)."""
    c = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    c.execute("PRAGMA busy_timeout=30000")
    c.execute("PRAGMA synchronous=NORMAL")
    return c


def commit(conn, i, k, due, blob):
    """One commit in database i (its k-th, due at `due`); returns its output line."""
    conn.execute("INSERT INTO t (b) VALUES (zeroblob(?))", (blob,))
    tc = time.monotonic()
    pc = conn.execute("PRAGMA page_count").fetchone()[0]
    return f"{i}\t{k}\t{due:.6f}\t{tc:.6f}\t{pc}\n"


def write_commits(path, t0, records, errors, extra=()):
    """The output file: `# start`, the `extra` header lines, every thread's commit lines, `# errors`, `# cpu`."""
    with open(path, "w") as f:
        f.write(f"# start {t0:.6f}\n")
        f.writelines(extra)
        for r in records:
            f.writelines(r)
        f.write(f"# errors {len(errors)}\n")
        f.write(f"# cpu {time.process_time():.2f}\n")
    for e in errors[:20]:
        print(e, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--secs", type=float, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--blob", type=int, default=1024)
    a = ap.parse_args()
    paths = [p.strip() for p in open(a.list) if p.strip()]
    rng = random.Random(a.seed)
    phase = [rng.random() for _ in paths]
    records = [[] for _ in range(a.threads)]
    errors = []
    t0 = time.monotonic() + 1.0  # time to open every connection first
    end = t0 + a.secs
    ready = threading.Barrier(a.threads)

    def run(w):
        mine = list(range(w, len(paths), a.threads))
        conns = {}
        for i in mine:
            conns[i] = open_db(paths[i])
        ready.wait()
        due = [(t0 + phase[i], i, 0) for i in mine]
        heapq.heapify(due)
        out = records[w]
        while due:
            t, i, k = heapq.heappop(due)
            if t >= end:
                continue
            d = t - time.monotonic()
            if d > 0:
                time.sleep(d)
            try:
                out.append(commit(conns[i], i, k, t, a.blob))
            except sqlite3.Error as e:
                errors.append(f"{paths[i]}: {e}")
            heapq.heappush(due, (t + 1.0, i, k + 1))
        for c in conns.values():
            c.close()

    ts = [threading.Thread(target=run, args=(w,)) for w in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    write_commits(a.out, t0, records, errors)


if __name__ == "__main__":
    main()
