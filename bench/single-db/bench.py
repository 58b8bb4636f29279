#!/usr/bin/env python3
"""Litefleet vs litestream v0.5.16, one database, file replica, sync interval 1 s. Entry point: run.sh.

See README.md in this directory for the method. Everything runs under one temp dir in /tmp; child processes are
killed on exit. Stdlib only.
"""
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = os.environ
QUICK = ENV.get("QUICK") == "1"


def knob(name, quick, full, conv=float):
    return conv(ENV.get(name, quick if QUICK else full))


LF = ENV["LITEFLEET"]
LS = ENV["LITESTREAM"]
LAG_RATE = knob("LAG_RATE", 50, 50)
LAG_SECS = knob("LAG_SECS", 15, 60)
LAG_REPS = knob("LAG_REPS", 3, 3, int)
STEP_RATES = [float(r) for r in ENV.get("STEP_RATES", "100,500,1000,2000,5000,10000,20000").split(",")]
STEP_SECS = knob("STEP_SECS", 6, 20)
STEP_REPS = knob("STEP_REPS", 1, 3, int)
LAG_LIMIT = knob("LAG_LIMIT", 3, 3)          # seconds: p99 must stay under this
GROWTH_LIMIT = knob("GROWTH_LIMIT", 0.5, 0.5)  # seconds: fitted lag growth across one step must stay under this
GRACE = knob("GRACE", 5, 5)                  # seconds the replicator keeps running after the writer stops
RESTORE_MB = knob("RESTORE_MB", 256, 1024, int)
RESTORE_REPS = knob("RESTORE_REPS", 3, 3, int)
SKIP = set(filter(None, ENV.get("SKIP", "").split(",")))  # lag, steps, restore
TOOLS = ["litefleet", "litestream"]
CLK = os.sysconf("SC_CLK_TCK")
CHILDREN = []


def mono():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def spawn(cmd, logfile):
    out = open(logfile, "ab")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    CHILDREN.append(p)
    return p


def stop(p, timeout=30):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"pid {p.pid} ignored SIGTERM for {timeout}s: SIGKILL")
            p.kill()
            p.wait()
    return p.returncode


def cleanup(*_):
    for p in CHILDREN:
        if p.poll() is None:
            p.kill()
            p.wait()


def start_replicator(tool, db, replica, work):
    logf = os.path.join(work, f"{tool}.log")
    if tool == "litefleet":
        cmd = [LF, "replicate", "--state-dir", os.path.join(work, "state"), "-sync-interval", "1s",
               db, "file://" + replica]
    else:
        cfg = os.path.join(work, "litestream.yml")
        with open(cfg, "w") as f:
            f.write(f"dbs:\n  - path: {db}\n    replica:\n      type: file\n      path: {replica}\n"
                    f"      sync-interval: 1s\n")
        cmd = [LS, "replicate", "-config", cfg]
    return spawn(cmd, logf), logf


def restore_cmd(tool, replica, out):
    if tool == "litefleet":
        return [LF, "restore", "-o", out, "file://" + replica]
    return [LS, "restore", "-o", out, "file://" + replica]


def run_timed(cmd):
    """Runs cmd; returns (wall s, exit code, child CPU s, child max RSS MiB, output).

    Max RSS comes from GNU time, not from our own wait4: a child forked from this (large) Python process
    inherits its RSS high-water mark at exec, so wait4's ru_maxrss would report the harness, not the tool."""
    rssf = tempfile.mktemp(prefix="litefleet-bench-rss-", dir="/tmp")
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rssf] + cmd
    t0 = mono()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    CHILDREN.append(p)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = mono() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(rssf) as f:
        rss = int(f.read().strip().splitlines()[-1]) / 1024
    os.remove(rssf)
    return wall, p.returncode, ru.ru_utime + ru.ru_stime, rss, out.decode(errors="replace")


# ---------------------------------------------------------------- /proc sampling

def proc_stats(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            st = dict(line.split(":", 1) for line in f if ":" in line)
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    kb = lambda k: int(st[k].split()[0]) if k in st else 0
    return {"rss": kb("VmRSS") / 1024, "hwm": kb("VmHWM") / 1024, "threads": int(st["Threads"]),
            "cpu": (int(fields[11]) + int(fields[12])) / CLK, "t": mono()}


class Sampler(threading.Thread):
    def __init__(self, pid, period=0.5):
        super().__init__(daemon=True)
        self.pid, self.period, self.samples, self.load = pid, period, [], []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            s = proc_stats(self.pid)
            if s:
                self.samples.append(s)
            with open("/proc/loadavg") as f:
                self.load.append(float(f.read().split()[0]))
            self.halt.wait(self.period)


# ---------------------------------------------------------------- replica helpers

def max_txid(name):
    return int(name.rsplit("/", 1)[-1].split(".")[0].split("-")[1], 16)


def wait_for_ltx(replica, deadline_s, p):
    t0 = mono()
    while mono() - t0 < deadline_s:
        if p.poll() is not None:
            raise RuntimeError(f"replicator exited with {p.returncode} before writing an LTX file")
        for root, _, files in os.walk(os.path.join(replica, "ltx")):
            if any(f.endswith(".ltx") for f in files):
                return mono() - t0
        time.sleep(0.01)
    raise RuntimeError(f"no LTX file in {replica} after {deadline_s}s")


def log_findings(logf):
    bad = []
    with open(logf, errors="replace") as f:
        for line in f:
            low = line.lower()
            if any(w in low for w in ("error", "warn", "exception", "panic", "fatal", "severe")):
                bad.append(line.strip())
    return bad


# ---------------------------------------------------------------- the workload run

def workload_run(tool, plan, work):
    """One replicator, one fresh database, one writer plan. Returns raw data for the lag and resource tables."""
    os.makedirs(work)
    db, replica, archive = (os.path.join(work, n) for n in ("db.sqlite", "replica", "archive"))
    subprocess.run(["sqlite3", db], input=b"PRAGMA journal_mode=WAL;"
                   b"CREATE TABLE t(id INTEGER PRIMARY KEY, ts REAL, payload BLOB);",
                   stdout=subprocess.DEVNULL, check=True)
    rep, logf = start_replicator(tool, db, replica, work)
    sampler = Sampler(rep.pid)
    sampler.start()
    startup = wait_for_ltx(replica, 60, rep)
    stop_file = os.path.join(work, "stop")
    watcher = spawn([sys.executable, os.path.join(HERE, "workload.py"), "watch", replica, archive,
                     os.path.join(work, "snaps.jsonl"), stop_file], os.path.join(work, "watch.log"))
    time.sleep(0.5)
    cpu0 = proc_stats(rep.pid)
    t_w0 = mono()
    writer = spawn([sys.executable, os.path.join(HERE, "workload.py"), "writer", db,
                    os.path.join(work, "writer.json"), plan], os.path.join(work, "writer.log"))
    wrc = writer.wait()
    t_w1 = mono()
    time.sleep(GRACE)
    cpu1 = proc_stats(rep.pid)
    open(stop_file, "w").close()
    watcher.wait(10)
    sampler.halt.set()
    sampler.join()
    t_stop = mono()
    rc = stop(rep)
    shutdown = mono() - t_stop
    if wrc != 0:
        raise RuntimeError(f"writer failed ({wrc}): {open(os.path.join(work, 'writer.log')).read()}")
    with open(os.path.join(work, "writer.json")) as f:
        w = json.load(f)
    snaps = restore_snapshots(work, replica)
    window = [s for s in sampler.samples if t_w0 <= s["t"] <= t_w1 + GRACE]
    second_half = [s for s in window if s["t"] >= (t_w0 + t_w1) / 2] or window
    findings = log_findings(logf)
    return {
        "tool": tool, "writer": w, "snaps": snaps, "exit": rc, "startup_s": startup, "shutdown_s": shutdown,
        "cpu_s": cpu1["cpu"] - cpu0["cpu"], "cpu_total_s": cpu1["cpu"],
        "rss_steady": statistics.median(s["rss"] for s in second_half),
        "rss_first_q": statistics.median(s["rss"] for s in window[: max(1, len(window) // 4)]),
        "rss_peak": cpu1["hwm"], "threads_max": max(s["threads"] for s in window),
        "threads_med": statistics.median(s["threads"] for s in window),
        "load": statistics.mean(sampler.load) if sampler.load else float("nan"),
        "findings": findings, "writer_busy": w["busy_errors"],
        "replica_files": sum(len(f) for _, _, f in os.walk(os.path.join(replica, "ltx"))),
    }


def restore_snapshots(work, replica):
    """For every observed replica state whose highest TXID is new, restore that state with stock litestream and
    read max(id). Returns [(t_observed, max_id or None)] in time order."""
    archive = os.path.join(work, "archive")
    result, best, failures = [], -1, 0
    with open(os.path.join(work, "snaps.jsonl")) as f:
        snaps = [json.loads(line) for line in f]
    for i, s in enumerate(snaps):
        if not s["files"]:
            continue
        top = max(max_txid(n) for n in s["files"])
        if top <= best:
            continue
        snapdir = os.path.join(work, "snap")
        shutil.rmtree(snapdir, ignore_errors=True)
        for n in s["files"]:
            os.makedirs(os.path.join(snapdir, "ltx", os.path.dirname(n)), exist_ok=True)
            os.link(os.path.join(archive, n), os.path.join(snapdir, "ltx", n))
        out = os.path.join(work, "snap.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(out + suffix):
                os.remove(out + suffix)
        r = subprocess.run([LS, "restore", "-o", out, "file://" + snapdir], capture_output=True)
        if r.returncode != 0:
            failures += 1
            log(f"  snapshot {i} (txid {top:x}) failed to restore: {r.stderr.decode()[-300:]}")
            continue
        q = subprocess.run(["sqlite3", out, "SELECT coalesce(max(id),0) FROM t"], capture_output=True, text=True)
        result.append((s["t"], int(q.stdout.strip() or 0)))
        best = top
    shutil.rmtree(archive, ignore_errors=True)
    return {"points": result, "failures": failures, "states": len(snaps)}


def lags(run):
    """Per commit: (commit time, lag or None if never seen restorable)."""
    w, pts = run["writer"], run["snaps"]["points"]
    out, j, seen = [], 0, 0
    for k, tc in enumerate(w["times"]):
        cid = w["first_id"] + k
        while j < len(pts) and seen < cid:
            if pts[j][1] > seen:
                seen = pts[j][1]
                seen_t = pts[j][0]
            j += 1
        out.append((tc, seen_t - tc if seen >= cid else None))
    return out


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def slope(pairs):
    n = len(pairs)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    den = sum((x - mx) ** 2 for x, _ in pairs)
    return sum((x - mx) * (y - my) for x, y in pairs) / den if den else 0.0


def summarize_lag(run):
    ls = lags(run)
    got = [l for _, l in ls if l is not None]
    return {"n": len(ls), "missing": len(ls) - len(got), "p50": pct(got, 50), "p99": pct(got, 99),
            "max": max(got) if got else float("nan"), "min": min(got) if got else float("nan")}


def summarize_steps(run):
    ls = lags(run)
    base = run["writer"]["first_id"]
    rows = []
    for st in run["writer"]["steps"]:
        part = ls[st["first_id"] - base: st["last_id"] - base + 1]
        got = [(t, l) for t, l in part if l is not None]
        n = len(part)
        achieved = n / (st["t1"] - st["t0"]) if st["t1"] > st["t0"] else 0
        growth = slope(got) * st["secs"]
        p99 = pct([l for _, l in got], 99)
        why = [w for w, bad in (("writer<90%", achieved < 0.9 * st["rate"]), ("p99", not p99 < LAG_LIMIT),
                                ("growth", growth >= GROWTH_LIMIT), ("missing", len(got) < n or n == 0)) if bad]
        rows.append({"rate": st["rate"], "achieved": achieved, "p50": pct([l for _, l in got], 50), "p99": p99,
                     "growth": growth, "missing": n - len(got), "ok": not why, "why": why})
    sustained = 0
    for r in rows:
        if not r["ok"]:
            break
        sustained = r["rate"]
    return rows, sustained


# ---------------------------------------------------------------- restore benchmark

def restore_bench(root):
    work = os.path.join(root, "restore")
    os.makedirs(work)
    src = os.path.join(work, "source.db")
    rows = RESTORE_MB * 1000
    log(f"generating a {RESTORE_MB} MB database ({rows} rows of 500 random + 500 zero bytes)")
    t0 = mono()
    sql = (f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"
           f"CREATE TABLE t(id INTEGER PRIMARY KEY, ts REAL, payload BLOB);"
           f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<{rows}) "
           f"INSERT INTO t SELECT x, x, randomblob(500)||zeroblob(500) FROM c;"
           f"PRAGMA journal_mode=WAL;")
    subprocess.run(["sqlite3", src], input=sql.encode(), check=True, capture_output=True)
    gen_s = mono() - t0
    size = os.path.getsize(src)
    want = content_hash(src)
    res = {"size": size, "gen_s": gen_s, "replicate": {}, "restores": {}, "checks": {}, "findings": {},
           "version_s": {t: [run_timed([LF if t == "litefleet" else LS, "version"])[0] for _ in range(3)]
                         for t in TOOLS}}
    for tool in TOOLS:
        d = os.path.join(work, tool)
        os.makedirs(d)
        db, replica = os.path.join(d, "db.sqlite"), os.path.join(d, "replica")
        subprocess.run(["cp", "--reflink=never", src, db], check=True)
        log(f"{tool}: replicating the {size / 2**20:.0f} MiB database")
        p, logf = start_replicator(tool, db, replica, d)
        sampler = Sampler(p.pid)
        sampler.start()
        first = wait_for_ltx(replica, 600, p)
        time.sleep(3)
        sampler.halt.set()
        sampler.join()
        st = proc_stats(p.pid)
        stop(p)
        res["replicate"][tool] = {"first_ltx_s": first, "rss_peak": st["hwm"], "cpu_s": st["cpu"],
                                  "replica_bytes": du(replica)}
        res["findings"][tool] = log_findings(logf)
    out = os.path.join(work, "out.db")
    combos = [(r, s) for r in TOOLS for s in TOOLS]
    for rep in range(RESTORE_REPS):
        order = combos if rep % 2 == 0 else combos[::-1]
        for restorer, source in order:
            for suffix in ("", "-wal", "-shm", ".tmp"):
                if os.path.exists(out + suffix):
                    os.remove(out + suffix)
            wall, rc, cpu, rss, text = run_timed(
                restore_cmd(restorer, os.path.join(work, source, "replica"), out))
            ok = rc == 0 and content_hash(out) == want
            check = None
            if rep == 0 and rc == 0:
                check = subprocess.run(["sqlite3", out, "PRAGMA integrity_check"], capture_output=True,
                                       text=True).stdout.strip()
                res["checks"][(restorer, source)] = check
            log(f"restore by {restorer} of {source}'s replica: {wall:.2f}s rc={rc} hash_ok={ok}"
                + (f" integrity={check}" if check else "") + ("" if rc == 0 else f"\n{text[-500:]}"))
            res["restores"].setdefault((restorer, source), []).append(
                {"wall": wall, "rc": rc, "ok": ok, "cpu": cpu, "rss": rss})
    return res


def content_hash(db):
    r = subprocess.run(["sqlite3", db, ".sha3sum t"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else f"error: {r.stderr.strip()}"


def du(path):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


# ---------------------------------------------------------------- report

def med(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def ratio(a, b):
    return f"{a / b:.2f}" if b and a == a and b == b else "n/a"


def fmt(x, spec=".2f"):
    return "n/a" if x != x else format(x, spec)


def spread(xs, spec=".2f"):
    xs = [x for x in xs if x == x]
    return f" ({format(min(xs), spec)}–{format(max(xs), spec)})" if len(xs) > 1 else ""


def report(env, lag_runs, step_runs, rest):
    L = []
    add = L.append
    add(f"# Single-database benchmark: Litefleet vs litestream v0.5.16 ({env['date']}{', QUICK' if QUICK else ''})\n")
    add(f"- Litefleet `{env['lf_version']}` (commit `{env['commit']}`), litestream `{env['ls_version']}`, "
        f"SQLite CLI {env['sqlite']}, Python {sys.version.split()[0]}")
    add(f"- Machine: {os.cpu_count()} cores, shared. `uptime` before: `{env['uptime0']}`; after: `{env['uptime1']}`")
    add(f"- Command: `{env['command']}`; knobs: LAG_RATE={LAG_RATE:g} LAG_SECS={LAG_SECS:g} LAG_REPS={LAG_REPS} "
        f"STEP_RATES={','.join(f'{r:g}' for r in STEP_RATES)} STEP_SECS={STEP_SECS:g} STEP_REPS={STEP_REPS} "
        f"LAG_LIMIT={LAG_LIMIT:g}s GROWTH_LIMIT={GROWTH_LIMIT:g}s GRACE={GRACE:g}s RESTORE_MB={RESTORE_MB} "
        f"RESTORE_REPS={RESTORE_REPS}")
    add("- Both tools: one database, `file` replica, sync interval 1 s (litestream: replica `sync-interval: 1s`, "
        "default `monitor-interval` 1 s). Runs alternate tool order; values are medians over runs, "
        "(min–max) in brackets. A step fails (✗) on: writer below 90 % of the target rate, p99 lag at or over "
        "LAG_LIMIT, fitted lag growth over the step at or over GROWTH_LIMIT, or commits never restorable; "
        "'sustained' is the highest rate before the first failing step. Ratio = Litefleet / litestream (lower is better for every row except tx/s).\n")
    add("## Summary\n")
    add("| metric | Litefleet | litestream | ratio |")
    add("|---|---|---|---|")

    def row(name, vals, spec=".2f", unit=""):
        a, b = med(vals["litefleet"]), med(vals["litestream"])
        add(f"| {name} | {fmt(a, spec)}{unit}{spread(vals['litefleet'], spec)} | "
            f"{fmt(b, spec)}{unit}{spread(vals['litestream'], spec)} | {ratio(a, b)} |")

    by = lambda runs, f: {t: [f(r) for r in runs if r["tool"] == t] for t in TOOLS}
    if lag_runs:
        s = {id(r): summarize_lag(r) for r in lag_runs}
        add(f"| **lag workload**: {LAG_RATE:g} tx/s for {LAG_SECS:g} s, {LAG_REPS} runs each | | | |")
        row("commit→restorable lag p50 (s)", by(lag_runs, lambda r: s[id(r)]["p50"]), ".3f")
        row("commit→restorable lag p99 (s)", by(lag_runs, lambda r: s[id(r)]["p99"]), ".3f")
        row("commit→restorable lag max (s)", by(lag_runs, lambda r: s[id(r)]["max"]), ".3f")
        row("commits not restorable within grace", by(lag_runs, lambda r: s[id(r)]["missing"]), ".0f")
        row("replicator CPU during workload (s)", by(lag_runs, lambda r: r["cpu_s"]), ".2f")
        row("replicator CPU incl. startup (s)", by(lag_runs, lambda r: r["cpu_total_s"]), ".2f")
        row("RSS steady, median of 2nd half (MiB)", by(lag_runs, lambda r: r["rss_steady"]), ".1f")
        row("RSS peak, VmHWM (MiB)", by(lag_runs, lambda r: r["rss_peak"]), ".1f")
        row("threads (max)", by(lag_runs, lambda r: r["threads_max"]), ".0f")
        row("startup to first LTX file (s)", by(lag_runs, lambda r: r["startup_s"]), ".2f")
        row("SIGTERM to exit (s)", by(lag_runs, lambda r: r["shutdown_s"]), ".2f")
    if step_runs:
        ss = {id(r): summarize_steps(r) for r in step_runs}
        add(f"| **step workload**: {', '.join(f'{x:g}' for x in STEP_RATES)} tx/s × {STEP_SECS:g} s, "
            f"{STEP_REPS} run(s) each | | | |")
        row(f"sustained tx/s (p99 < {LAG_LIMIT:g} s, growth < {GROWTH_LIMIT:g} s/step)",
            by(step_runs, lambda r: ss[id(r)][1]), ".0f")
        row("replicator CPU during workload (s)", by(step_runs, lambda r: r["cpu_s"]), ".2f")
        row("RSS steady (MiB)", by(step_runs, lambda r: r["rss_steady"]), ".1f")
        row("RSS peak, VmHWM (MiB)", by(step_runs, lambda r: r["rss_peak"]), ".1f")
        row("threads (max)", by(step_runs, lambda r: r["threads_max"]), ".0f")
    if rest:
        add(f"| **restore**: {rest['size'] / 2**20:.0f} MiB database, {RESTORE_REPS} runs each | | | |")
        rr = rest["restores"]
        for src in TOOLS:
            vals = {t: [x["wall"] for x in rr[(t, src)] if x["ok"]] for t in TOOLS}
            row(f"restore wall time of {src}'s replica (s)", vals, ".2f")
        for src in TOOLS:
            vals = {t: [x["rss"] for x in rr[(t, src)] if x["ok"]] for t in TOOLS}
            row(f"restore max RSS, {src}'s replica (MiB)", vals, ".0f")
        row("process start to exit, `version` command (s)", rest["version_s"], ".3f")
        rep = rest["replicate"]
        row("initial replication: start to first LTX file (s)", {t: [rep[t]["first_ltx_s"]] for t in TOOLS})
        row("replica size, all levels (MiB)", {t: [rep[t]["replica_bytes"] / 2**20] for t in TOOLS}, ".0f")
    add("")

    if lag_runs:
        add("## Lag runs\n")
        add("| run | tool | commits | p50 s | p99 s | max s | missing | CPU s | RSS steady/peak MiB (first quarter) "
            "| threads | load | replica states / restores / failed | log lines w/ error/warn |")
        add("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for i, r in enumerate(lag_runs):
            s = summarize_lag(r)
            add(f"| {i // 2 + 1} | {r['tool']} | {s['n']} | {s['p50']:.3f} | {s['p99']:.3f} | {s['max']:.3f} | "
                f"{s['missing']} | {r['cpu_s']:.2f} | {r['rss_steady']:.0f}/{r['rss_peak']:.0f} "
                f"({r['rss_first_q']:.0f}) | {r['threads_max']} | {r['load']:.1f} | "
                f"{r['snaps']['states']}/{len(r['snaps']['points'])}/{r['snaps']['failures']} | {len(r['findings'])} |")
        add("")
    if step_runs:
        add("## Step runs (per step: achieved tx/s, lag p50/p99 s, fitted lag growth over the step s)\n")
        add("| run | tool | " + " | ".join(f"{x:g} tx/s" for x in STEP_RATES) + " | sustained | CPU s | RSS peak MiB |")
        add("|---|---|" + "---|" * len(STEP_RATES) + "---|---|---|")
        for i, r in enumerate(step_runs):
            rows, sus = summarize_steps(r)
            cells = [f"{x['achieved']:.0f}; {x['p50']:.2f}/{x['p99']:.2f}; {x['growth']:+.2f}"
                     + (f"; {x['missing']} missing" if x["missing"] else "") + ("" if x["ok"] else " ✗ " + ",".join(x["why"]))
                     for x in rows]
            add(f"| {i // 2 + 1} | {r['tool']} | " + " | ".join(cells) + f" | {sus:g} | {r['cpu_s']:.2f} | "
                f"{r['rss_peak']:.0f} |")
        add("")
    if rest:
        add("## Restore matrix (wall s per run; all verified by `.sha3sum t` against the source; "
            "`PRAGMA integrity_check` on the first run)\n")
        add("| restorer \\ replica written by | " + " | ".join(TOOLS) + " |")
        add("|---|---|---|")
        for restorer in TOOLS:
            cells = []
            for src in TOOLS:
                xs = rest["restores"][(restorer, src)]
                cells.append(", ".join(f"{x['wall']:.2f}" + ("" if x["ok"] else " FAILED") for x in xs)
                             + f"; integrity: {rest['checks'].get((restorer, src), 'n/a')}"
                             + f"; CPU {med([x['cpu'] for x in xs]):.1f} s")
            add(f"| {restorer} | " + " | ".join(cells) + " |")
        add(f"\nSource generated in {rest['gen_s']:.1f} s ({rest['size'] / 2**20:.0f} MiB). Initial replication: "
            + "; ".join(f"{t}: first LTX after {v['first_ltx_s']:.2f} s, peak RSS {v['rss_peak']:.0f} MiB, "
                        f"CPU {v['cpu_s']:.1f} s, replica {v['replica_bytes'] / 2**20:.0f} MiB"
                        for t, v in rest["replicate"].items()) + "\n")
    findings = {}
    for r in lag_runs + step_runs:
        findings.setdefault(r["tool"], []).extend(r["findings"])
    if rest:
        for t, f in rest["findings"].items():
            findings.setdefault(t, []).extend(f)
    add("## Replicator log lines mentioning error/warn/exception (distinct, first 8 per tool)\n")
    for t in TOOLS:
        distinct = list(dict.fromkeys(strip_time(x) for x in findings.get(t, [])))
        add(f"- {t}: {len(findings.get(t, []))} lines" + ("" if distinct else " — none"))
        for x in distinct[:8]:
            add(f"  - `{x[:300]}`")
    add("")
    return "\n".join(L)


def strip_time(line):
    import re
    return re.sub(r"\d{4}-\d\d-\d\d[T ][\d:.,]+Z?\S*|time=\S+", "<t>", line)


# ---------------------------------------------------------------- main

def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = tempfile.mkdtemp(prefix="litefleet-bench-", dir="/tmp")
    env = {
        "date": datetime.date.today().isoformat(),
        "uptime0": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "lf_version": subprocess.run([LF, "version"], capture_output=True, text=True).stdout.strip().splitlines()[0],
        "ls_version": subprocess.run([LS, "version"], capture_output=True, text=True).stdout.strip(),
        "sqlite": subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0],
        "commit": ENV.get("GIT_COMMIT", "?"), "command": ENV.get("BENCH_COMMAND", "bench/single-db/run.sh"),
    }
    log(f"work dir {root}; {env['uptime0']}")
    lag_runs, step_runs, rest = [], [], None
    try:
        if "lag" not in SKIP:
            for rep in range(LAG_REPS):
                for tool in (TOOLS if rep % 2 == 0 else TOOLS[::-1]):
                    log(f"lag run {rep + 1}/{LAG_REPS}: {tool}")
                    r = workload_run(tool, f"{LAG_RATE:g}:{LAG_SECS:g}", os.path.join(root, f"lag-{rep}-{tool}"))
                    s = summarize_lag(r)
                    log(f"  p50 {s['p50']:.3f}s p99 {s['p99']:.3f}s max {s['max']:.3f}s missing {s['missing']} "
                        f"cpu {r['cpu_s']:.2f}s rss {r['rss_steady']:.0f}/{r['rss_peak']:.0f}MiB")
                    lag_runs.append(r)
        if "steps" not in SKIP:
            plan = ",".join(f"{x:g}:{STEP_SECS:g}" for x in STEP_RATES)
            for rep in range(STEP_REPS):
                for tool in (TOOLS if rep % 2 == 1 else TOOLS[::-1]):
                    log(f"step run {rep + 1}/{STEP_REPS}: {tool}")
                    r = workload_run(tool, plan, os.path.join(root, f"steps-{rep}-{tool}"))
                    rows, sus = summarize_steps(r)
                    log("  " + "; ".join(f"{x['rate']:g}: {x['achieved']:.0f}/s p99 {x['p99']:.2f}s "
                                         f"growth {x['growth']:+.2f}s{'' if x['ok'] else ' X ' + ','.join(x['why'])}" for x in rows)
                        + f" -> sustained {sus:g}")
                    step_runs.append(r)
        if "restore" not in SKIP:
            rest = restore_bench(root)
        env["uptime1"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        text = report(env, lag_runs, step_runs, rest)
        print(text)
        name = f"results-{env['date']}{'-quick' if QUICK else ''}{ENV.get('RESULTS_SUFFIX', '')}.md"
        with open(os.path.join(HERE, name), "w") as f:
            f.write(text)
        log(f"wrote bench/single-db/{name}")
    finally:
        cleanup()
        if ENV.get("KEEP") == "1":
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
