#!/usr/bin/env python3
"""Memory benchmark (issue 13, item 1): resident memory of Litefleet and litestream v0.5.16, side by side.

Every system runs at the same time, on its own copy of the data, against a `file` replica:
  single  one database, a writer inserting a 200-byte row 20 times a second, sync interval 1 s; VmRSS sampled every
          5 s; then the lag check: the writer stops, 3 s later stock litestream restores every replica and the
          rows missing from it are counted (must be 0) and PRAGMA integrity_check must say ok.
  fleet   N idle databases (20 rows each) in directory/fleet mode; once every system has captured all N (polled with
          a deadline), VmRSS is sampled every 5 s for the settle window.
Each scenario runs R times; the report gives medians and ratios against litestream. Standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import contract  # noqa: E402  (bench/cost/report.py's sibling-section keys)

LTX = re.compile(r"^[0-9a-f]{16}-([0-9a-f]{16})\.ltx$")


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_s(pid):
    """User plus system CPU seconds the process has used (whole process, all threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def make_db(path, rows):
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode=wal")
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
    c.executemany("INSERT INTO t(v) VALUES (?)", [("x" * 100,)] * rows)
    c.commit()
    c.close()


def captured(replica):
    """Databases with at least one LTX file under `replica` (one directory per database)."""
    if not os.path.isdir(replica):
        return 0
    n = 0
    for entry in os.scandir(replica):
        if entry.is_dir() and any(LTX.match(f) for _, _, fs in os.walk(entry.path) for f in fs):
            n += 1
    return n


class System:
    """One replicator process: litestream or a Litefleet launcher (run with JAVA_OPTS unset)."""

    def __init__(self, name, binary, is_litestream):
        self.name, self.binary, self.is_litestream = name, binary, is_litestream
        self.proc = None

    def start(self, work, db=None, data=None, replica=None):
        os.makedirs(work, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "JAVA_OPTS"}
        if self.is_litestream:
            cfg = os.path.join(work, "litestream.yml")
            with open(cfg, "w") as f:
                if db:
                    f.write(f"dbs:\n  - path: {db}\n    replica:\n      type: file\n      path: {replica}\n"
                            "      sync-interval: 1s\n")
                else:
                    f.write(f"dbs:\n  - dir: {data}\n    pattern: \"*.db\"\n    watch: true\n    replica:\n"
                            f"      type: file\n      path: {replica}\n      sync-interval: 1s\n")
            cmd = [self.binary, "replicate", "-config", cfg]
        elif db:
            cmd = [self.binary, "replicate", "--state-dir", os.path.join(work, "state"), "-sync-interval", "1s",
                   db, "file://" + replica]
        else:
            cfg = os.path.join(work, "litefleet.yml")
            with open(cfg, "w") as f:
                f.write(f"state-dir: {os.path.join(work, 'state')}\nmulti-db:\n  enabled: true\n  patterns:\n"
                        f"    - \"{data}/*.db\"\n  scan-interval: 30s\n  replica-template:\n    type: file\n"
                        f"    path: \"{replica}/{{{{database}}}}\"\n    sync-interval: 1s\n")
            cmd = [self.binary, "replicate", "-config", cfg]
        log = open(os.path.join(work, "log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work,
                                     start_new_session=True)

    def cpu(self):
        return cpu_s(self.proc.pid) if self.proc and self.proc.poll() is None else None

    def rss(self):
        return rss_mb(self.proc.pid) if self.proc and self.proc.poll() is None else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Writer(threading.Thread):
    """Inserts a 200-byte row into every database `rate` times a second; counts the commits per database."""

    def __init__(self, dbs, rate):
        super().__init__(name="bench-writer", daemon=True)
        self.dbs, self.rate = dbs, rate
        self.commits = {name: 0 for name in dbs}
        self.halt = threading.Event()

    def run(self):
        conns = {n: sqlite3.connect(p, isolation_level=None, check_same_thread=False) for n, p in self.dbs.items()}
        for c in conns.values():
            c.execute("PRAGMA busy_timeout=5000")
        t0, k = time.monotonic(), 0
        while not self.halt.is_set():
            k += 1
            for n, c in conns.items():
                c.execute("INSERT INTO t(v) VALUES (?)", ("y" * 200,))
                self.commits[n] += 1
            self.halt.wait(max(0.0, t0 + k / self.rate - time.monotonic()))
        for c in conns.values():
            c.close()


def sample(systems, secs, every=5):
    samples = {s.name: [] for s in systems}
    end = time.monotonic() + secs
    while time.monotonic() < end:
        time.sleep(min(every, max(0.0, end - time.monotonic())))
        for s in systems:
            samples[s.name].append(s.rss())
    return samples


def run_single(args, systems, work):
    dbs, replicas = {}, {}
    for s in systems:
        d = os.path.join(work, s.name)
        os.makedirs(d)
        dbs[s.name], replicas[s.name] = os.path.join(d, "db.sqlite"), os.path.join(d, "replica")
        make_db(dbs[s.name], 0)
    writer = Writer(dbs, args.rate)
    writer.start()
    try:
        for s in systems:
            s.start(os.path.join(work, s.name), db=dbs[s.name], replica=replicas[s.name])
        samples = sample(systems, args.single_secs)
        cpu = {s.name: s.cpu() for s in systems}
    finally:
        writer.halt.set()
        writer.join()
    time.sleep(3)  # the lag check's definition: what a restore 3 s after the last commit is missing
    out = {}
    for s in systems:
        restored = os.path.join(work, s.name, "restored.db")
        r = subprocess.run([args.litestream, "restore", "-o", restored, "file://" + replicas[s.name]],
                           capture_output=True, text=True)
        rows, integrity = -1, None
        if r.returncode == 0:
            with sqlite3.connect(restored) as c:
                rows = c.execute("SELECT count(*) FROM t").fetchone()[0]
                integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
        live = [x for x in samples[s.name] if x is not None]
        out[s.name] = {"rss_end_mb": live[-1] if live else None, "rss_max_mb": max(live) if live else None,
                       "cpu_s": cpu[s.name], "alive": s.proc.poll() is None, "commits": writer.commits[s.name],
                       "rows_missing_3s_after_stop": writer.commits[s.name] - rows if rows >= 0 else None,
                       "integrity_check": integrity,
                       "restore_error": r.stderr.strip()[-300:] if r.returncode else None}
        s.stop()
    return out


def run_fleet(args, systems, work, n):
    template = os.path.join(work, "template")
    os.makedirs(template)
    for i in range(n):
        make_db(os.path.join(template, f"t{i:05d}.db"), 20)
    replicas = {}
    for s in systems:
        d = os.path.join(work, s.name)
        shutil.copytree(template, os.path.join(d, "data"))
        replicas[s.name] = os.path.join(d, "replica")
    t0 = time.monotonic()
    for s in systems:
        d = os.path.join(work, s.name)
        s.start(d, data=os.path.join(d, "data"), replica=replicas[s.name])
    done, deadline = {}, t0 + args.capture_timeout
    while len(done) < len(systems) and time.monotonic() < deadline:
        time.sleep(1)
        for s in systems:
            if s.name not in done and (captured(replicas[s.name]) >= n or s.proc.poll() is not None):
                done[s.name] = time.monotonic() - t0
    cpu0 = {s.name: s.cpu() for s in systems}
    samples = sample(systems, args.settle_secs)
    out = {}
    for s in systems:
        live = [x for x in samples[s.name] if x is not None]
        out[s.name] = {"rss_end_mb": live[-1] if live else None, "rss_max_mb": max(live) if live else None,
                       "idle_cpu_s": round(s.cpu() - cpu0[s.name], 2) if s.cpu() is not None and cpu0[s.name] is not None
                       else None,
                       "alive": s.proc.poll() is None, "captured": captured(replicas[s.name]),
                       "capture_s": round(done[s.name], 1) if s.name in done else None}
        s.stop()
    return out


def median(values):
    v = [x for x in values if x is not None]
    return round(statistics.median(v), 1) if v else None


def report(args, systems, runs, started):
    peer = "litestream"
    lines = [f"# Memory benchmark, {started:%Y-%m-%d %H:%M} UTC", "",
             f"Host {platform.node()}, {os.cpu_count()} cores, load at start {args.load_at_start}; "
             f"{args.repeats} repeat(s); medians of VmRSS (MB) at the end of each window.", "",
             f"Command: `{args.command}`", ""]
    systems_other = [s.name for s in systems if s.name != peer]
    header = "| scenario | " + " | ".join([peer] + systems_other) + " | " + \
             " | ".join(f"{n} / {peer}" for n in systems_other) + " | checks |"
    lines += [header, "|" + "---|" * (2 + 2 * len(systems_other)) + "---|"]
    summary = {}
    for scenario, reps in runs.items():
        med = {s.name: median([r[s.name]["rss_end_mb"] for r in reps]) for s in systems}
        ratios = {n: round(med[n] / med[peer], 2) if med[n] and med[peer] else None for n in systems_other}
        cpu_key = "cpu_s" if scenario == "single" else "idle_cpu_s"
        cpu = ", ".join(f"{s.name} {median([r[s.name][cpu_key] for r in reps])}" for s in systems)
        if scenario == "single":
            check = (f"CPU s over the run: {cpu}; rows missing 3 s after stop (stock litestream restore; "
                     "integrity_check ok unless said): ") + ", ".join(
                f"{s.name} {max(r[s.name]['rows_missing_3s_after_stop'] or 0 for r in reps)}"
                + ("" if all(r[s.name]["rows_missing_3s_after_stop"] is not None for r in reps) else " (restore failed)")
                + ("" if all(r[s.name]["integrity_check"] == "ok" for r in reps) else " (integrity_check failed)")
                for s in systems)
        else:
            check = f"CPU s over the settle window: {cpu}; captured / capture s: " + ", ".join(
                f"{s.name} {min(r[s.name]['captured'] for r in reps)} / "
                f"{median([r[s.name]['capture_s'] for r in reps])}" for s in systems)
        dead = [s.name for s in systems if not all(r[s.name]["alive"] for r in reps)]
        if dead:
            check += "; exited early: " + ", ".join(dead)
        summary[scenario] = {"median_rss_mb": med, "ratio_to_litestream": ratios}
        lines.append(f"| {scenario} | " + " | ".join(str(med[n]) for n in [peer] + systems_other) + " | "
                     + " | ".join(str(ratios[n]) for n in systems_other) + f" | {check} |")
    return "\n".join(lines) + "\n", summary


def headline(summary, rate):
    """The rows docs/benchmarks.md shows: Litefleet and litestream medians, the ratio and issue 13's goal."""
    rows = []
    for scenario, s in summary.items():
        med = s["median_rss_mb"]
        lf, ls = med.get("litefleet"), med.get("litestream")
        if scenario == "single":
            case, goal, met = f"1 database, {rate:g} tx/s", "<= 64 MB", None if lf is None else lf <= 64
        else:
            n = int(scenario.split("-")[1])
            case, goal = f"{n:,} idle databases", "<= litestream" if n >= 300 else "-"
            met = lf <= ls if n >= 300 and lf is not None and ls is not None else None
        row = {"case": case, "litefleet_rss_mb": lf, "litestream_rss_mb": ls, "ratio": contract.ratio(lf, ls),
               "goal": goal, "met": {True: "yes", False: "no", None: "-"}[met]}
        row.update({f"{k}_rss_mb": v for k, v in med.items() if k not in ("litefleet", "litestream")})
        rows.append(row)
    return rows


def contract_fields(summary, rate, command, repeats, load_start, load_end, **kw):
    return contract.fields("Memory floor (RSS, side by side)", command, headline(summary, rate), load_start, load_end,
                           [f"Median VmRSS (MB) at the end of each window over {repeats} repeat(s); one database "
                            "replicating, then idle fleets after their first capture; Litefleet with the shipped "
                            "launcher and no JAVA_OPTS. Method: bench/memory/membench.py."], **kw)


def rewrite_headline(path, command):
    """Adds the contract's keys to a results file written before they existed (run.sh never sets --rate: 20)."""
    contract.rewrite(path, lambda d: contract_fields(
        d["summary"], d.get("rate", 20), d.get("command", command), len(next(iter(d["runs"].values()))),
        d.get("load_at_start"), None, generated_utc=d["started"][:19] + "Z",
        machine_line=d.get("machine", "not recorded (headline added offline from the figures)")))


def main():
    if sys.argv[1:2] == ["--rewrite-headline"]:  # --rewrite-headline FILE.json COMMAND
        return rewrite_headline(sys.argv[2], sys.argv[3])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--litestream", required=True)
    p.add_argument("--litefleet", required=True, help="the shipped launcher, bin/litefleet")
    p.add_argument("--extra", action="append", default=[], metavar="NAME=LAUNCHER",
                   help="another Litefleet image in the same run (e.g. before=/tmp/old/bin/litefleet)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--single-secs", type=int, default=60)
    p.add_argument("--rate", type=float, default=20)
    p.add_argument("--fleet", default="300,1000,3000", help="fleet sizes, comma-separated ('' for none)")
    p.add_argument("--settle-secs", type=int, default=30)
    p.add_argument("--capture-timeout", type=int, default=600)
    p.add_argument("--skip-single", action="store_true")
    p.add_argument("--work", default="/tmp/lf-membench")
    p.add_argument("--out", required=True, help="output path without extension")
    p.add_argument("--command", default=" ".join(sys.argv))
    args = p.parse_args()
    args.load_at_start = open("/proc/loadavg").read().split()[0]
    started = datetime.datetime.now(datetime.timezone.utc)
    systems = [System("litestream", args.litestream, True), System("litefleet", args.litefleet, False)]
    systems += [System(*e.split("=", 1), False) for e in args.extra]
    scenarios = ([] if args.skip_single else ["single"]) + [f"fleet-{n}" for n in args.fleet.split(",") if n]
    runs = {sc: [] for sc in scenarios}
    try:
        for rep in range(args.repeats):
            for sc in scenarios:
                work = os.path.join(args.work, f"{sc}-r{rep}")
                shutil.rmtree(work, ignore_errors=True)
                os.makedirs(work)
                res = run_single(args, systems, work) if sc == "single" else run_fleet(args, systems, work,
                                                                                       int(sc.split("-")[1]))
                runs[sc].append(res)
                print(sc, f"r{rep}", json.dumps(res), flush=True)
                shutil.rmtree(work, ignore_errors=True)
    finally:
        for s in systems:
            s.stop()
    md, summary = report(args, systems, runs, started)
    with open(args.out + ".md", "w") as f:
        f.write(md)
    with open(args.out + ".json", "w") as f:
        json.dump({"started": started.isoformat(), "load_at_start": args.load_at_start,
                   "summary": summary, "runs": runs, "rate": args.rate, "machine": contract.machine(),
                   **contract_fields(summary, args.rate, args.command, args.repeats, args.load_at_start,
                                     contract.loadavg())}, f, indent=1)
    print(md)


if __name__ == "__main__":
    main()
