#!/usr/bin/env python3
"""Start time of short commands, Litefleet against stock litestream v0.5.16 in the same run (issue 13, item 2).

Each case is a pair of commands, A (Litefleet) and B (the peer or an older image), run in turn A B A B ... after
warm-up runs; wall time is a monotonic clock around each process, peak RSS and CPU come from wait4. The ratio A/B
is taken pair by pair, so a machine that speeds up or slows down during the run moves both sides alike. Medians
are quoted, min and max show the noise. Before each run its output database is removed (not timed); after the
last run each restored database is checked against the source (row hash and PRAGMA integrity_check).

usage: startbench.py --litefleet BIN --litestream BIN [--before BIN] [--runs N] [--warmup N] [--out FILE.md]
       (--out also writes FILE.json: every run's figures and the headline bench/cost/report.py shows)
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import contract  # noqa: E402  (bench/cost/report.py's sibling-section keys)


def run_once(cmd, clean):
    for path in clean:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def spread(xs):
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


def pair(name, a, b, clean_a, clean_b, runs, warmup):
    for _ in range(warmup):
        run_once(a, clean_a)
        run_once(b, clean_b)
    ra, rb = [], []
    for _ in range(runs):
        ra.append(run_once(a, clean_a))
        rb.append(run_once(b, clean_b))
    ratios = [x[0] / y[0] for x, y in zip(ra, rb)]
    row = {"case": name, "a_wall": [x[0] for x in ra], "b_wall": [y[0] for y in rb],
           "a_cpu": [x[1] for x in ra], "b_cpu": [y[1] for y in rb],
           "a_rss": [x[2] for x in ra], "b_rss": [y[2] for y in rb], "ratio": ratios}
    print(f"{name}: A {spread(row['a_wall'])} s, B {spread(row['b_wall'])} s, A/B median {statistics.median(ratios):.1f}"
          f", A peak {statistics.median(row['a_rss']):.0f} MiB", flush=True)
    return row


def make_db(path, target_bytes, seed):
    rnd = random.Random(seed)
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v BLOB)")
    while os.path.getsize(path) + (os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0) \
            < target_bytes:
        c.executemany("INSERT INTO t(name, v) VALUES (?, ?)",
                      [(f"row-{rnd.randrange(10**9)}", rnd.randbytes(rnd.randrange(100, 2000))) for _ in range(50)])
        c.commit()
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()


def content(path):
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    h = hashlib.sha256()
    for row in c.execute("SELECT id, name, v FROM t ORDER BY id"):
        h.update(repr(row).encode())
    ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    c.close()
    return h.hexdigest()[:16], ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--litefleet", required=True)
    ap.add_argument("--litestream", required=True)
    ap.add_argument("--before", help="an older image's bin/litefleet, compared with --litefleet too")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--kb", type=int, default=400, help="size of the database restored")
    ap.add_argument("--out")
    ap.add_argument("--command", default=" ".join(sys.argv), help="the command that reproduces this run")
    args = ap.parse_args()
    load_start = contract.loadavg()

    work = tempfile.mkdtemp(prefix="litefleet-startbench.")
    try:
        db = os.path.join(work, "app.db")
        make_db(db, args.kb * 1024, 13)
        replica = os.path.join(work, "replica")
        # The replica is stock litestream's: both tools restore the same bytes.
        subprocess.run([args.litestream, "replicate", "-exec", "sleep 2", db, "file://" + replica], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = "file://" + replica
        ours, theirs, older = (os.path.join(work, n) for n in ("ours.db", "stock.db", "older.db"))
        restore = lambda binary, out: [binary, "restore", "-o", out, url]
        rows = [pair("version", [args.litefleet, "version"], [args.litestream, "version"], [], [], args.runs,
                     args.warmup),
                pair(f"restore {os.path.getsize(db) // 1024} KB", restore(args.litefleet, ours),
                     restore(args.litestream, theirs), [ours], [theirs], args.runs, args.warmup)]
        if args.before:
            rows.append(pair("version, this image (A) vs before (B)", [args.litefleet, "version"],
                             [args.before, "version"], [], [], args.runs, args.warmup))
            rows.append(pair("restore, this image (A) vs before (B)", restore(args.litefleet, ours),
                             restore(args.before, older), [ours], [older], args.runs, args.warmup))
        want = content(db)
        checks = {p: content(p) for p in [ours, theirs] + ([older] if args.before else [])}
        for p, got in checks.items():
            if got != (want[0], "ok"):
                sys.exit(f"{p}: {got}, source {want}: a restore differs from the source")
        print(f"restores equal the source ({want[0]}) and pass integrity_check")
        if args.out:
            write_report(args, rows, os.path.getsize(db))
            write_json(args, rows, os.path.getsize(db), load_start)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_report(args, rows, db_bytes):
    load = open("/proc/loadavg").read().split()[:3]
    lines = [f"# Start time, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"`bench/start/run.sh` ({args.runs} pairs after {args.warmup} warm-ups, A and B in turn; wall seconds, "
             f"median (min-max); ratio = median of the per-pair A/B). Database restored: {db_bytes // 1024} KB, "
             f"replica written by stock litestream. Load average at the end: {' '.join(load)}; "
             f"{os.cpu_count()} cores.", "",
             "| case | A: Litefleet | B | A/B | A peak RSS MiB | A CPU s | B CPU s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {spread(r['a_wall'])} | {spread(r['b_wall'])} | "
                     f"{statistics.median(r['ratio']):.2f} | {statistics.median(r['a_rss']):.0f} | "
                     f"{statistics.median(r['a_cpu']):.3f} | {statistics.median(r['b_cpu']):.3f} |")
    lines += ["", "B is stock litestream v0.5.16 unless the case says otherwise. Goal (issue 13): A within 2x of "
              "litestream or under 0.2 s, whichever is larger.", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("wrote " + args.out)


def headline(rows):
    """Litefleet against litestream (the cases whose B is litestream) and issue 13's goal for each."""
    out = []
    for r in rows:
        if "this image" in r["case"]:
            continue
        lf, ls = statistics.median(r["a_wall"]), statistics.median(r["b_wall"])
        goal = max(2 * ls, 0.2)
        out.append({"command": r["case"], "litefleet_s": round(lf, 3), "litestream_s": round(ls, 3),
                    "ratio": round(float(statistics.median(r["ratio"])), 2), "goal_s": round(goal, 3),
                    "met": "yes" if lf <= goal else "no"})
    return out


def write_json(args, rows, db_bytes, load_start):
    path = os.path.splitext(args.out)[0] + ".json"
    notes = [f"Wall seconds, medians of {args.runs} pairs (Litefleet and litestream in turn) after {args.warmup} "
             f"warm-ups; ratio = median of the per-pair ratios; goal = max(2 x litestream, 0.2 s). Restored: a "
             f"{db_bytes // 1024} KB database from a file replica written by stock litestream."]
    notes += [f"{r['case']}: this image {statistics.median(r['a_wall']):.3f} s, before "
              f"{statistics.median(r['b_wall']):.3f} s, ratio {statistics.median(r['ratio']):.2f}"
              for r in rows if "this image" in r["case"]]
    with open(path, "w") as f:
        json.dump({"runs": args.runs, "warmup": args.warmup, "db_bytes": db_bytes, "rows": rows,
                   **contract.fields("Start time", args.command, headline(rows), load_start, contract.loadavg(),
                                     notes)}, f, indent=1)
    print("wrote " + path)


if __name__ == "__main__":
    main()
