#!/usr/bin/env python3
"""C1 only (-XX:TieredStopAtLevel=1) against the default tiered C1+C2, on the work that decides throughput:
  snapshot  `replicate -once -force-snapshot` of one database of --mb MB (mixed text and random blobs)
  fleet     `replicate -once` of --fleet small databases in fleet mode (a first capture; timed until every database has an LTX file)
Runs alternate (C2, C1, C2, C1, ...) so drift on a busy machine hits both; reports medians of wall and CPU seconds
and the ratio C1 / C2. The launcher is the shipped one; JAVA_OPTS is the only difference between the two.
"""
import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import time

MODES = {"c2": "", "c1": "-XX:TieredStopAtLevel=1"}


def fill(db, mb):
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("PRAGMA journal_mode=wal")
    c.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, s TEXT, b BLOB)")
    c.execute("BEGIN")
    for i in range(mb * 1024 * 1024 // 2200):
        c.execute("INSERT INTO t(s, b) VALUES (?, randomblob(1100))", ((f"row {i} " * 100)[:1100],))
    c.execute("COMMIT")
    c.close()


def timed(cmd, env, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stdout[-500:]} {r.stderr[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_case(args, case, mode, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_OPTS"}
    if MODES[mode]:
        env["JAVA_OPTS"] = MODES[mode]
    if case == "fleet":
        shutil.copytree(os.path.join(args.work, "fleet-template"), os.path.join(work, "data"))
        cfg = os.path.join(work, "fleet.yml")
        with open(cfg, "w") as f:
            f.write(f"state-dir: {work}/state\nmulti-db:\n  enabled: true\n  patterns:\n    - \"{work}/data/*.db\"\n"
                    f"  replica-template:\n    type: file\n    path: \"{work}/replica/{{{{database}}}}\"\n")
        # Fleet mode has no -once: a child polls until every database has an LTX file, then replication stops.
        wait = os.path.join(work, "wait.sh")
        with open(wait, "w") as f:
            f.write(f"until [ \"$(find {work}/replica -name '*.ltx' | wc -l)\" -ge {args.fleet} ]; do sleep 0.2; done\n")
        cmd = [args.litefleet, "replicate", "-config", cfg, "-exec", f"sh {wait}"]
    else:
        db = os.path.join(work, "db.sqlite")
        src = os.path.join(args.work, f"{case}-template")
        shutil.copy(src + ".sqlite", db)
        cmd = [args.litefleet, "replicate", "-once", "--state-dir", os.path.join(work, "state")]
        cmd += ["-force-snapshot"] if case == "snapshot" else []
        cmd += [db, "file://" + os.path.join(work, "replica")]
    return timed(cmd, env, work)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--litefleet", required=True)
    p.add_argument("--mb", type=int, default=200)
    p.add_argument("--fleet", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--cases", default="snapshot,fleet")
    p.add_argument("--work", default="/tmp/lf-jitbench")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(os.path.join(args.work, "fleet-template"))
    cases = args.cases.split(",")
    if "snapshot" in cases:
        fill(os.path.join(args.work, "snapshot-template.sqlite"), args.mb)
    if "fleet" in cases:
        for i in range(args.fleet):
            fill(os.path.join(args.work, "fleet-template", f"t{i:05d}.db"), 0)
    results = {c: {m: [] for m in MODES} for c in cases}
    for rep in range(args.repeats):
        for case in cases:
            for mode in MODES:
                wall, cpu = run_case(args, case, mode, os.path.join(args.work, "run"))
                results[case][mode].append({"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)})
                print(case, mode, rep, results[case][mode][-1], flush=True)
    lines = [f"C1 only vs tiered C2 ({args.repeats} alternating runs, load at end {open('/proc/loadavg').read().split()[0]})",
             "", "| case | C2 wall s | C1 wall s | C1/C2 wall | C2 CPU s | C1 CPU s | C1/C2 CPU |", "|---|---|---|---|---|---|---|"]
    for case in cases:
        med = {m: {k: statistics.median(r[k] for r in results[case][m]) for k in ("wall_s", "cpu_s")} for m in MODES}
        lines.append(f"| {case} | {med['c2']['wall_s']:.2f} | {med['c1']['wall_s']:.2f} | "
                     f"{med['c1']['wall_s'] / med['c2']['wall_s']:.2f} | {med['c2']['cpu_s']:.2f} | "
                     f"{med['c1']['cpu_s']:.2f} | {med['c1']['cpu_s'] / med['c2']['cpu_s']:.2f} |")
    md = "\n".join(lines) + "\n"
    open(args.out + ".md", "w").write(md)
    json.dump(results, open(args.out + ".json", "w"), indent=1)
    print(md)
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
