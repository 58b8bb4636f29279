#!/usr/bin/env python3
"""Idle and on-disk cost of a fleet after its first capture (issue 13, item 3), Litefleet builds against litestream
v0.5.16 in one run.

For each round and each system: a fresh fleet of N databases (bench/fleet/gen.py layout, file replica), the system
started, its first capture awaited (Litefleet: /metrics captures == N and no backlog; litestream: an .ltx under every
database's ltx/0), then WINDOW seconds of idling; the process's utime+stime over that window (from /proc), its RSS,
and the on-disk size of its local state (Litefleet: state-dir; litestream: the .<db>-litestream directories beside
the databases) are recorded, with how many files that state holds. Medians over the rounds, ratios to litestream.

usage: idle.py [--n N] [--window S] [--rounds R] [--base DIR] [--out FILE.md] NAME=LAUNCHER [NAME=LAUNCHER ...]
       (run.sh passes this branch's image as 'litefleet'; add another build as before=/path/to/bin/litefleet)
Writes FILE.md and FILE.json (every round, the medians and the headline bench/cost/report.py shows).
Shipped launcher, no JAVA_OPTS. Litefleet's config leaves scan-interval (30s) and full-scan-interval at their
defaults, so it is valid for builds before full-scan-interval existed too.
"""
import argparse, json, os, shutil, signal, socket, statistics, subprocess, sys, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fleet"))
import gen  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import contract  # noqa: E402  (bench/cost/report.py's sibling-section keys)
import procs  # noqa: E402
from procs import free_port  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")
LS = os.environ.get("LS_BIN", os.path.expanduser("~/go/bin/litestream"))
started = []  # every process this run started, killed by kill_all


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def kill_all(*_):
    for p in started:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    if _:
        sys.exit(130)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def java_pid(p):
    """The launcher execs java; if a shell stayed in between, the java process of p's session."""
    for _ in range(100):
        for d in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            comm = st[st.index("(") + 1:st.rindex(")")]
            if int(st.rsplit(")", 1)[1].split()[3]) == p.pid and comm in ("java", "litestream"):
                return int(d)
        time.sleep(0.1)
    return p.pid


def disk(paths):
    """(bytes on disk, files) under paths."""
    used = files = 0
    for top in paths:
        for d, _, names in os.walk(top):
            used += os.lstat(d).st_blocks * 512
            for n in names:
                used += os.lstat(os.path.join(d, n)).st_blocks * 512
                files += 1
    return used, files


def start(argv, logpath):
    p = subprocess.Popen(argv, stdout=open(logpath, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    started.append(p)
    return p


def stop(p):
    procs.stop_group(p, 90)


def litefleet_captured(port, n):
    try:
        m = procs.metrics(port, 10)
    except OSError:
        return False
    return (m.get("litefleet_fleet_captures_total", 0) >= n
            and m.get('litefleet_fleet_queue_depth{queue="backlog"}', 1) == 0)


def litestream_captured(pending, data, replica):
    """Whether every database has an .ltx under its replica's ltx/0 (found ones are dropped from pending)."""
    for q in list(pending):
        d = os.path.join(replica, os.path.relpath(q, data), "ltx", "0")
        if os.path.isdir(d) and any(e.name.endswith(".ltx") for e in os.scandir(d)):
            pending.discard(q)
    return not pending


def run_one(name, launcher, n, window, base, capture_timeout=0):
    run = os.path.join(base, name)
    shutil.rmtree(run, ignore_errors=True)
    data, replica, state = (os.path.join(run, x) for x in ("data", "replica", "state"))
    os.makedirs(run)
    subprocess.run([sys.executable, os.path.join(HERE, "..", "fleet", "gen.py"), str(n), data], check=True,
                   capture_output=True)
    paths = [gen.path_of(data, i) for i in range(n)]
    cfg = os.path.join(run, "config.yml")
    port = free_port()
    if name == "litestream":
        with open(cfg, "w") as f:
            f.write(f"dbs:\n  - dir: {data}\n    pattern: \"*.db\"\n    recursive: true\n    watch: true\n"
                    f"    replica:\n      type: file\n      path: {replica}\n      sync-interval: 1s\n")
        p = start([LS, "replicate", "-config", cfg], os.path.join(run, "log"))
        pending = set(paths)
        done = lambda: litestream_captured(pending, data, replica)  # noqa: E731
        state_paths = lambda: [os.path.join(os.path.dirname(q), "." + os.path.basename(q) + "-litestream")  # noqa
                               for q in paths]
    else:
        with open(cfg, "w") as f:
            f.write(f"addr: 127.0.0.1:{port}\nstate-dir: {state}\nmulti-db:\n  patterns:\n"
                    f"    - \"{data}/{{project}}/databases/{{database}}/branches/{{branch}}/tenants/{{tenant}}.db\"\n"
                    f"  replica-template:\n    type: file\n"
                    f"    path: \"{replica}/{{{{project}}}}/{{{{database}}}}/{{{{branch}}}}/{{{{tenant}}}}\"\n"
                    f"    sync-interval: 1s\n")
        env_free = {k: v for k, v in os.environ.items() if k != "JAVA_OPTS"}
        p = subprocess.Popen([launcher, "replicate", "-config", cfg], stdout=open(os.path.join(run, "log"), "w"),
                             stderr=subprocess.STDOUT, start_new_session=True, env=env_free)
        started.append(p)
        done = lambda: litefleet_captured(port, n)  # noqa: E731
        state_paths = lambda: [state]  # noqa: E731
    pid = java_pid(p)
    t0 = time.monotonic()
    deadline = t0 + (capture_timeout or max(600, n / 10))
    while not done():
        if p.poll() is not None or time.monotonic() > deadline:
            stop(p)
            raise SystemExit(f"first capture of {n} not done within {time.monotonic() - t0:.0f} s "
                             f"(exit {p.poll()}); its log: {run}/log")
        time.sleep(2 if name == "litestream" and n > 2000 else 0.5)
    captured = time.monotonic() - t0
    c0, w0 = cpu_seconds(pid), time.monotonic()
    time.sleep(window)
    c1, w1 = cpu_seconds(pid), time.monotonic()
    used, files = disk([x for x in state_paths() if os.path.exists(x)])
    row = {"capture_s": round(captured, 1), "idle_cpu_s_per_min": round((c1 - c0) * 60 / (w1 - w0), 3),
           "rss_mb": round(rss_mb(pid), 1), "state_mb": round(used / 1e6, 2), "state_files": files}
    stop(p)
    shutil.rmtree(run, ignore_errors=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--window", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--base", default="/tmp/lfidle")
    ap.add_argument("--capture-timeout", type=int, default=0,
                    help="seconds a first capture may take before the system is recorded as failed (max(600, N/10))")
    ap.add_argument("--out", default=os.path.join(HERE, f"results-{time.strftime('%Y-%m-%d')}.md"))
    ap.add_argument("--command", default=" ".join(sys.argv), help="the command that reproduces this run")
    ap.add_argument("builds", nargs="+", help="NAME=path/to/bin/litefleet")
    a = ap.parse_args()
    signal.signal(signal.SIGINT, kill_all)
    signal.signal(signal.SIGTERM, kill_all)
    systems = [tuple(b.split("=", 1)) for b in a.builds] + [("litestream", LS)]
    rows = {name: [] for name, _ in systems}
    load = [os.getloadavg()]
    try:
        for r in range(a.rounds):
            for name, launcher in systems:
                log(f"round {r + 1}/{a.rounds}: {name} at N={a.n}")
                try:
                    rows[name].append(run_one(name, launcher, a.n, a.window, a.base, a.capture_timeout))
                except SystemExit as e:  # a system that cannot capture the fleet is reported, the run goes on
                    rows[name].append({"failed": str(e)})
                log(name, rows[name][-1])
                load.append(os.getloadavg())
    finally:
        kill_all()
    keys = ["capture_s", "idle_cpu_s_per_min", "rss_mb", "state_mb", "state_files"]
    ok = {name: [x for x in rows[name] if "failed" not in x] for name in rows}
    med = {name: {k: statistics.median(x[k] for x in ok[name]) if ok[name] else 0 for k in keys} for name in rows}
    peer = med["litestream"]
    lines = [f"# Idle and on-disk cost after the first capture, N = {a.n:,}", "",
             f"`{' '.join(sys.argv)}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {a.rounds} rounds, "
             f"idle window {a.window} s after the first capture; {os.cpu_count()} cores; load average (1 min) "
             f"during the run: {', '.join(f'{x[0]:.1f}' for x in load)}.", "",
             "| system | first capture s | idle CPU-s/min | RSS MB | local state MB | state files |"
             " CPU ratio | state ratio |", "|---|---|---|---|---|---|---|---|"]
    for name in rows:
        m = med[name]
        if not ok[name]:
            lines.append(f"| {name} | failed: {rows[name][0]['failed']} | | | | | | |")
            continue
        ratio = lambda k: f"{m[k] / peer[k]:.2f}" if peer[k] else "-"  # noqa: E731 (no peer figure: -)
        lines.append(f"| {name} | {m['capture_s']} | {m['idle_cpu_s_per_min']} | {m['rss_mb']} | {m['state_mb']} | "
                     f"{int(m['state_files'])} | {ratio('idle_cpu_s_per_min')} | {ratio('state_mb')} |")
    lines += ["", "Medians of the rounds; ratios are system / litestream v0.5.16. Every round's row:", "",
              "```", json.dumps(rows, indent=1), "```"]
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    write_json(a, rows, ok, med, load)


def headline(n, ok, med):
    """Per Litefleet build: idle CPU, local state size and files against litestream's (None where it failed)."""
    ls = med["litestream"] if ok["litestream"] else {}
    out = []
    for name in med:
        if name == "litestream":
            continue
        lf = med[name] if ok[name] else {}
        out.append({"N": n, "system": name,
                    "litefleet_idle_cpu_s_per_min": lf.get("idle_cpu_s_per_min"),
                    "litestream_idle_cpu_s_per_min": ls.get("idle_cpu_s_per_min"),
                    "cpu_ratio": contract.ratio(lf.get("idle_cpu_s_per_min"), ls.get("idle_cpu_s_per_min")),
                    "litefleet_state_mb": lf.get("state_mb"), "litestream_state_mb": ls.get("state_mb"),
                    "litefleet_state_files": lf.get("state_files"), "litestream_state_files": ls.get("state_files")})
    return out


def write_json(a, rows, ok, med, load):
    notes = [f"Medians of {a.rounds} round(s): CPU (utime+stime) over a {a.window} s idle window after the first "
             "capture, and the local state on disk (Litefleet: state-dir; litestream: the -litestream directories)."]
    notes += [f"{name} failed: {rows[name][0]['failed']}" for name in rows if not ok[name]]
    path = os.path.splitext(a.out)[0] + ".json"
    with open(path, "w") as f:
        json.dump({"n": a.n, "window_s": a.window, "rounds": rows, "median": {k: v for k, v in med.items() if ok[k]},
                   "load_1min": [x[0] for x in load],
                   **contract.fields("Idle and on-disk cost after the first capture", a.command,
                                     headline(a.n, ok, med), f"{load[0][0]:.2f}", f"{load[-1][0]:.2f}", notes)},
                  f, indent=1)
    print("wrote " + path)


if __name__ == "__main__":
    main()
