#!/usr/bin/env python3
"""Drifting fleet writer: ACTIVE of the listed databases commit once a second each; every DRIFT seconds a fraction
of the active set is replaced by databases picked at random from the rest (seeded), so the set of written databases
moves through the fleet as tenants come and go.

    drift_writer.py --list PATHS.txt --secs S --out COMMITS.tsv --active A [--drift-secs 60] [--drift-frac 0.2]
                    [--threads 4] [--seed 1] [--blob 1024]

Each commit is bench/cloud/writer.py's (INSERT of zeroblob(BLOB) into t(id, b), WAL, synchronous=NORMAL), so the
page count grows with every commit and the harness can tell which replica file contains which commit. Output has
writer.py's format (`# start`, then `db_index k t_due t_commit page_count`, then `# errors`, `# cpu`), plus one
`# epoch <e> <t_start> <db indexes...>` line per drift epoch. A database leaving the active set has its connection
closed at the next epoch.
"""
import argparse
import os
import random
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cloud"))
import writer  # noqa: E402  (bench/cloud's commit and output format)


def epochs(n, active, secs, drift_secs, frac, rng):
    """[(t_offset, sorted active indexes)] for each drift epoch."""
    cur = set(rng.sample(range(n), active))
    out, t = [], 0.0
    swap = max(1, round(frac * active)) if active < n else 0
    while t < secs:
        out.append((t, sorted(cur)))
        leave = rng.sample(sorted(cur), swap)
        come = rng.sample([i for i in range(n) if i not in cur], swap) if swap else []
        cur = (cur - set(leave)) | set(come)
        t += drift_secs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--secs", type=float, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--active", type=int, required=True)
    ap.add_argument("--drift-secs", type=float, default=60)
    ap.add_argument("--drift-frac", type=float, default=0.2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--blob", type=int, default=1024)
    a = ap.parse_args()
    paths = [p.strip() for p in open(a.list) if p.strip()]
    rng = random.Random(a.seed)
    plan = epochs(len(paths), min(a.active, len(paths)), a.secs, a.drift_secs, a.drift_frac, rng)
    phase = [rng.random() for _ in paths]
    t0 = time.monotonic() + 1.0
    records = [[] for _ in range(a.threads)]
    errors = []

    def run(w):
        conns, out = {}, records[w]
        for off, members in plan:
            mine = [i for i in members if i % a.threads == w]
            keep = set(mine)
            for i in [i for i in conns if i not in keep]:
                conns.pop(i).close()
            end = min(off + a.drift_secs, a.secs)
            due = sorted((t0 + off + phase[i] + k, i, int(off) + k) for i in mine
                         for k in range(int(end - off) + 1) if off + phase[i] + k < end)
            for t, i, k in due:
                d = t - time.monotonic()
                if d > 0:
                    time.sleep(d)
                try:
                    if i not in conns:
                        conns[i] = writer.open_db(paths[i])
                    out.append(writer.commit(conns[i], i, k, t, a.blob))
                except sqlite3.Error as ex:
                    errors.append(f"{paths[i]}: {ex}")
        for c in conns.values():
            c.close()

    ts = [threading.Thread(target=run, args=(w,), name=f"writer-{w}") for w in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    writer.write_commits(a.out, t0, records, errors,
                         [f"# epoch {e} {t0 + off:.6f} {' '.join(map(str, members))}\n"
                          for e, (off, members) in enumerate(plan)])


if __name__ == "__main__":
    main()
