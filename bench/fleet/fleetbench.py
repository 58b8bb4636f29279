#!/usr/bin/env python3
"""Fleet benchmark (issue 4): Litefleet fleet mode vs upstream litestream v0.5.16 directory mode.

Run through bench/fleet/run.sh (it builds, sets the knobs and cleans up). Every number comes from this run.

Phase A, Litefleet only, N = BIG_N cold databases (JAVA_OPTS=-XX:+UseSerialGC):
  heap bytes per cold database = (live heap at N) - (live heap at N=0), divided by N. "Live heap" is the
  Total of `jcmd GC.class_histogram` (which runs a full GC first; we also run `jcmd GC.run` before) minus the
  jdk.internal.vm.FillerElement arrays (heap filler, not objects). GC.heap_info "used" is reported next to it.
  RSS, threads, fds; full scan time (lastScanMs of the scans after the capture, median) next to plain stat
  loops over the same tree (find -printf, a Python scandir+lstat walk); promotion latency with watching and
  with scans only (watching disabled by running Litefleet in a user namespace whose inotify instance limit is
  0: `unshare -U -r`, /proc/sys/user/max_inotify_instances = 0; the status line then says watching=false).
Phase B, for each N in SMALL_NS, Litefleet fleet mode then litestream directory mode (watch: true), same tree:
  time to capture all N, then an idle window of IDLE_SECS (CPU seconds = utime+stime delta, RSS/threads/fds at
  its end), then LAG_SECS of writes to 1% of the databases once a second (after WARMUP_SECS of the same writes,
  not counted, so that Litefleet's promotions are not in the lag); lag = commit returned -> first new file in
  that database's replica ltx/0 directory seen by a 25 ms poller.
"""
import json, os, random, re, shutil, signal, sqlite3, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

E = os.environ
QUICK = E.get("QUICK", "0") == "1"
BASE = E.get("BASE", "/tmp/lfbench")
LF = E["LF_BIN"]
LS = E.get("LS_BIN", os.path.expanduser("~/go/bin/litestream"))
JCMD = E.get("JCMD", "jcmd")
BIG_N = int(E.get("BIG_N", "10000" if QUICK else "100000"))
SMALL_NS = [int(x) for x in E.get("SMALL_NS", "300 1000" if QUICK else "1000 5000").split()]
IDLE_SECS = int(E.get("IDLE_SECS", "120" if QUICK else "600"))
LAG_SECS = int(E.get("LAG_SECS", "30" if QUICK else "120"))
WARMUP_SECS = int(E.get("WARMUP_SECS", "10"))
PROMO_SAMPLES = int(E.get("PROMO_SAMPLES", "5" if QUICK else "10"))
SKIP_BIG = E.get("SKIP_BIG", "0") == "1"
SKIP_SMALL = E.get("SKIP_SMALL", "0") == "1"
SKIP_SCANONLY = E.get("SKIP_SCANONLY", "0") == "1"
BIG_FIRST = E.get("BIG_FIRST", "0") == "1"
OUT_JSON = E.get("OUT_JSON", os.path.join(BASE, "results.json"))
CLK = os.sysconf("SC_CLK_TCK")
PATTERN_SUFFIX = "*/databases/*/branches/*/tenants/*.db"
STATUS_RE = re.compile(r"(?:Fleet|Replication)Status\[(.*)\]")  # renamed ReplicationStatus

procs = []  # (Popen) started by us; killed on exit
results = {"quick": QUICK, "knobs": dict(BIG_N=BIG_N, SMALL_NS=SMALL_NS, IDLE_SECS=IDLE_SECS, LAG_SECS=LAG_SECS,
                                          WARMUP_SECS=WARMUP_SECS, PROMO_SAMPLES=PROMO_SAMPLES),
           "uptime": [], "notes": []}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def uptime(tag):
    u = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    results["uptime"].append(f"{tag}: {u}")
    log("uptime", tag, u)


def save():
    with open(OUT_JSON, "w") as f:
        json.dump(results, f, indent=1, default=str)


# ---------------------------------------------------------------- processes

def start(argv, logpath, env=None):
    f = open(logpath, "w")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    procs.append(p)
    with open(os.path.join(BASE, "pids"), "a") as pf:
        pf.write(f"{p.pid}\n")
    return p


def java_pid(p):
    """The launcher execs java, but under unshare/sh it is a child: find the java process in p's session."""
    for _ in range(100):
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        st = f.read()
                    comm = st[st.index("(") + 1:st.rindex(")")]
                    sid = int(st[st.rindex(")") + 2:].split()[3])
                except (OSError, ValueError, IndexError):
                    continue
                if sid == p.pid and comm == "java":
                    return int(d)
        time.sleep(0.1)
    return p.pid


def stop(p, timeout=60):
    """SIGTERM, returns (seconds to exit, exit code)."""
    if p.poll() is not None:
        return 0.0, p.returncode
    t0 = time.monotonic()
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        rc = p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
        rc = f"no exit within {timeout}s of SIGTERM; SIGKILLed"
    return round(time.monotonic() - t0, 2), rc


def kill_all(*_):
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if _:
        sys.exit(1)


def pstats(pid):
    with open(f"/proc/{pid}/status") as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK  # utime, stime
    return {"rss_mb": round(int(st["VmRSS"].split()[0]) / 1024, 1), "hwm_mb": round(int(st["VmHWM"].split()[0]) / 1024, 1),
            "threads": int(st["Threads"]), "fds": len(os.listdir(f"/proc/{pid}/fd")), "cpu_s": cpu}


def log_summary(path):
    """Line count and the WARN/ERROR lines (first few) of a tool's log."""
    n = 0
    bad = []
    levels = {}
    kinds = {}
    with open(path, errors="replace") as f:
        for line in f:
            n += 1
            m = re.search(r"\b(level=)?(INFO|WARN|WARNING|ERROR|DEBUG|SEVERE)\b", line)
            mm = re.search(r'msg="([^"]*)"', line) or re.search(r"\b(?:INFO|WARNING|ERROR|DEBUG)\s+(.*)", line)
            if mm:
                key = re.sub(r"/\S+", "<path>", mm.group(1))
                key = re.sub(r"\b[0-9a-f]{6,}\b|\d+", "#", key)[:90]
                kinds[key] = kinds.get(key, 0) + 1
            if m:
                levels[m.group(2)] = levels.get(m.group(2), 0) + 1
                if m.group(2) in ("WARN", "WARNING", "ERROR", "SEVERE") and len(bad) < 8:
                    bad.append(line.strip()[:300])
            elif ("panic" in line or "Exception" in line or "fatal" in line) and len(bad) < 8:
                bad.append(line.strip()[:300])
    top = sorted(kinds.items(), key=lambda x: -x[1])[:6]
    return {"lines": n, "levels": levels, "warn_error_sample": bad, "top_messages": top}


# ---------------------------------------------------------------- tools

def lf_config(data, replica, state, scan="30s"):
    path = os.path.join(BASE, "fleet.yml")
    with open(path, "w") as f:
        f.write(f"""state-dir: {state}
multi-db:
  enabled: true
  patterns:
    - "{data}/{PATTERN_SUFFIX}"
  max-hot-databases: 1000
  scan-interval: {scan}
  hot-idle-timeout: 5m
  replica-template:
    type: file
    path: "{replica}/{{{{project}}}}/{{{{database}}}}/{{{{branch}}}}/{{{{tenant}}}}"
    sync-interval: 1s
""")
    return path


def ls_config(data, replica):
    path = os.path.join(BASE, "litestream.yml")
    with open(path, "w") as f:
        f.write(f"""dbs:
  - dir: {data}
    pattern: "*.db"
    recursive: true
    watch: true
    replica:
      type: file
      path: {replica}
      sync-interval: 1s
""")
    return path


def lf_replica_dir(replica, data, dbpath):
    rel = os.path.relpath(dbpath, data).split(os.sep)  # p/databases/d/branches/b/tenants/t.db
    return os.path.join(replica, rel[0], rel[2], rel[4], rel[6][:-3], "ltx", "0")


def ls_replica_dir(replica, data, dbpath):
    return os.path.join(replica, os.path.relpath(dbpath, data), "ltx", "0")


def statuses(logpath):
    out = []
    with open(logpath, errors="replace") as f:
        for line in f:
            m = STATUS_RE.search(line)
            if m:
                d, k = {}, None
                for kv in m.group(1).split(", "):
                    if "=" not in kv:  # a list value with ", " inside, e.g. unmatchedPatterns=[a, b]
                        d[k] += ", " + kv
                        continue
                    k, v = kv.split("=", 1)
                    d[k] = int(v) if v.lstrip("-").isdigit() else v
                d["_t"] = line[:24]
                out.append(d)
    return out


def wait_lf_capture(p, logpath, n, timeout):
    """Waits for a status line with transients >= n and backlog 0; returns (seconds, that status) or raises."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if p.poll() is not None:
            raise RuntimeError(f"litefleet exited with {p.returncode} during the capture")
        ss = statuses(logpath)
        if ss and ss[-1]["transients"] >= n and ss[-1]["backlog"] == 0 and ss[-1]["scans"] >= 1:
            return ss[-1]
        time.sleep(2)
    raise RuntimeError(f"capture not finished after {timeout}s: {statuses(logpath)[-1:]}")


def count_captured(dirs):
    c = 0
    for d in dirs:
        try:
            if any(x.endswith(".ltx") for x in os.listdir(d)):
                c += 1
        except FileNotFoundError:
            pass
    return c


def wait_dirs_captured(p, dirs, timeout, every=1.0):
    """Waits until every replica dir holds an LTX file; returns seconds since call, or raises."""
    t0 = time.monotonic()
    left = list(dirs)
    while time.monotonic() - t0 < timeout:
        if p.poll() is not None:
            raise RuntimeError(f"exited with {p.returncode} during the capture ({len(dirs) - len(left)}/{len(dirs)} captured)")
        left = [d for d in left if count_captured([d]) == 0]
        if not left:
            return time.monotonic() - t0
        time.sleep(every)
    raise RuntimeError(f"capture not finished after {timeout}s ({len(dirs) - len(left)}/{len(dirs)} captured)")


# ---------------------------------------------------------------- measurements

def jcmd(pid, *cmd):
    r = subprocess.run([JCMD, str(pid), *cmd], capture_output=True, text=True, timeout=300)
    return r.stdout


def heap(pid):
    jcmd(pid, "GC.run")
    jcmd(pid, "GC.run")
    info = jcmd(pid, "GC.heap_info")
    used = sum(int(x) for x in re.findall(r"(?:DefNew|Tenured)\s+total \d+K, used (\d+)K", info)) * 1024
    hist = jcmd(pid, "GC.class_histogram")
    classes = {}
    total = filler = 0
    for line in hist.splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            classes[m.group(3)] = (int(m.group(1)), int(m.group(2)))
            if "FillerElement" in m.group(3) or "FillerArray" in m.group(3):
                filler += int(m.group(2))
        m = re.match(r"Total\s+(\d+)\s+(\d+)", line)
        if m:
            total = int(m.group(2))
    return {"heap_info_used": used, "histogram_total": total, "filler": filler, "live": total - filler,
            "classes": classes}


def stat_loops(data, reps=3):
    """Physical limit of a scan: walk the same tree and lstat every *.db (and its -wal when listed)."""
    fnd, py = [], []
    for _ in range(reps):
        t0 = time.monotonic()
        subprocess.run(["find", data, "-name", "*.db*", "-printf", "%s %T@\n"], stdout=subprocess.DEVNULL, check=True)
        fnd.append((time.monotonic() - t0) * 1000)
        t0 = time.monotonic()
        c = 0

        def walk(d):
            nonlocal c
            with os.scandir(d) as it:
                names = list(it)
            have = {e.name for e in names}
            for e in names:
                if e.is_dir(follow_symlinks=False):
                    walk(e.path)
                elif e.name.endswith(".db"):
                    os.lstat(e.path)
                    c += 1
                    if e.name + "-wal" in have:
                        os.lstat(e.path + "-wal")
        walk(data)
        py.append((time.monotonic() - t0) * 1000)
    return {"find_ms": round(statistics.median(fnd)), "python_scandir_lstat_ms": round(statistics.median(py)), "files": c}


def write_row(path, tag):
    c = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    c.execute("PRAGMA busy_timeout=10000")
    c.execute("INSERT INTO t (v, ts) VALUES (?, ?)", (tag, time.time()))
    return c, time.monotonic()


def wait_new_file(d, before, deadline, step=0.01):
    while time.monotonic() < deadline:
        try:
            now = set(os.listdir(d))
        except FileNotFoundError:
            now = set()
        new = [x for x in now - before if x.endswith(".ltx")]
        if new:
            return time.monotonic(), new
        time.sleep(step)
    return None, []


def verify_restore(replica_db_dir, tag):
    out = os.path.join(BASE, "restore-check.db")
    for x in (out, out + "-wal", out + "-shm"):
        if os.path.exists(x):
            os.remove(x)
    r = subprocess.run([LF, "restore", "-o", out, "file://" + replica_db_dir], capture_output=True, text=True,
                       timeout=120, env=dict(E, JAVA_OPTS=""))
    if r.returncode != 0:
        return f"restore failed: {r.stderr.strip()[:200]}"
    c = sqlite3.connect(out)
    n = c.execute("SELECT count(*) FROM t WHERE v = ?", (tag,)).fetchone()[0]
    c.close()
    return "ok" if n == 1 else "row missing"


def promotion_latency(data, replica, paths, k, parallel_window=None, timeout=120):
    """Writes one row to k cold databases; latency = commit -> new LTX file in the replica's ltx/0.
    Sequential by default; with parallel_window, writes are spread over that many seconds (for scan-only)."""
    rng = random.Random(4)
    picks = rng.sample(paths, k)
    res = []
    if parallel_window is None:
        for i, p in enumerate(picks):
            d = lf_replica_dir(replica, data, p)
            before = set(os.listdir(d))
            tag = f"promo-{i}-{time.time()}"
            c, t0 = write_row(p, tag)
            t1, new = wait_new_file(d, before, t0 + timeout)
            c.close()
            res.append({"db": p, "latency_s": None if t1 is None else round(t1 - t0, 3),
                        "restore": verify_restore(os.path.dirname(os.path.dirname(d)), tag) if t1 else "timeout"})
            time.sleep(0.5)
        return res
    # parallel: each write at its own offset inside the window
    out = [None] * k

    def one(i, p):
        time.sleep(i * parallel_window / k)
        d = lf_replica_dir(replica, data, p)
        before = set(os.listdir(d))
        tag = f"promo-scan-{i}-{time.time()}"
        c, t0 = write_row(p, tag)
        t1, new = wait_new_file(d, before, t0 + timeout, step=0.05)
        c.close()
        out[i] = {"db": p, "latency_s": None if t1 is None else round(t1 - t0, 3), "tag": tag, "dir": d}
    ts = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(picks)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for r in out:
        r["restore"] = verify_restore(os.path.dirname(os.path.dirname(r.pop("dir"))), r.pop("tag")) \
            if r["latency_s"] is not None else "timeout"
    return out


def lag_run(paths, dir_of, proc, warmup, secs):
    """1% of the databases (at least 1) get one INSERT each second; returns lag percentiles (ms)."""
    rng = random.Random(1)
    m = max(1, len(paths) // 100)
    act = rng.sample(paths, m)
    dirs = [dir_of(p) for p in act]
    conns = [sqlite3.connect(p, timeout=10, isolation_level=None, check_same_thread=False) for p in act]
    for c in conns:
        c.execute("PRAGMA busy_timeout=10000")
    commits = [[] for _ in act]  # monotonic times of commits (measured part only)
    seen = [[] for _ in act]     # monotonic times new files were first seen
    known = [set(os.listdir(d)) if os.path.isdir(d) else set() for d in dirs]
    stop_ev = threading.Event()
    errors = []

    def poller():
        while not stop_ev.is_set():
            for i, d in enumerate(dirs):
                try:
                    now = set(os.listdir(d))
                except FileNotFoundError:
                    continue
                new = now - known[i]
                if new:
                    t = time.monotonic()
                    seen[i].extend([t] * len([x for x in new if x.endswith(".ltx")]))
                    known[i] |= new
            time.sleep(0.025)

    pt = threading.Thread(target=poller)
    pt.start()
    t_start = time.monotonic()
    cpu_at = {}

    def writer(i, c):
        # one commit a second, at a random point inside each second: sync ticks (1 s) and commits are not
        # phase-locked, so the lag distribution covers the whole sync interval
        r = random.Random(100 + i)
        k = 0
        while True:
            at = t_start + k + r.random()
            if at >= t_start + warmup + secs:
                return
            time.sleep(max(0, at - time.monotonic()))
            try:
                c.execute("INSERT INTO t (v, ts) VALUES (?, ?)", (f"lag-{k}", time.time()))
                if k >= warmup:
                    commits[i].append(time.monotonic())
            except sqlite3.Error as e:
                errors.append(str(e))
            k += 1

    ws = [threading.Thread(target=writer, args=(i, c)) for i, c in enumerate(conns)]
    for w in ws:
        w.start()
    time.sleep(warmup)
    cpu0 = pstats(proc)["cpu_s"]
    for w in ws:
        w.join()
    cpu1 = pstats(proc)["cpu_s"]
    st_active = pstats(proc)
    time.sleep(10)  # let the last commits land
    stop_ev.set()
    pt.join()
    for c in conns:
        c.close()
    lags, missing = [], 0
    for i in range(len(act)):
        s = sorted(seen[i])
        for tc in commits[i]:
            nxt = next((t for t in s if t > tc), None)
            if nxt is None:
                missing += 1
            else:
                lags.append((nxt - tc) * 1000)
    lags.sort()

    def pct(q):
        return round(lags[min(len(lags) - 1, int(q * len(lags)))]) if lags else None
    return {"active_dbs": m, "commits": sum(len(c) for c in commits), "missing": missing,
            "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(lags[-1]) if lags else None,
            "write_errors": errors[:5], "cpu_s_per_min_active": round((cpu1 - cpu0) / secs * 60, 2),
            "active_stats": st_active}


# ---------------------------------------------------------------- phases

def fresh(*dirs):
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)


def phase_big():
    data, replica, state = f"{BASE}/data", f"{BASE}/replica", f"{BASE}/state"
    env = dict(E, JAVA_OPTS="-XX:+UseSerialGC")
    out = results.setdefault("big", {"n": BIG_N})
    uptime("big: start")
    # baseline: N=0
    fresh(data, replica, state)
    cfg = lf_config(data, replica, state)
    p = start([LF, "replicate", "-config", cfg], f"{BASE}/lf-n0.log", env)
    wait_lf_capture(p, f"{BASE}/lf-n0.log", 0, 90)
    pid = java_pid(p)
    h0 = heap(pid)
    out["n0"] = {"stats": pstats(pid), "heap_live": h0["live"], "heap_info_used": h0["heap_info_used"]}
    out["n0"]["stop"] = stop(p)
    log("N=0 baseline", out["n0"])
    # N
    fresh(data, replica, state)
    t0 = time.monotonic()
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(BIG_N), data], check=True)
    out["gen_s"] = round(time.monotonic() - t0, 1)
    paths = [gen.path_of(data, i) for i in range(BIG_N)]
    logp = f"{BASE}/lf-big.log"
    t0 = time.monotonic()
    wall0 = time.time()
    p = start([LF, "replicate", "-config", cfg], logp, env)
    pid = java_pid(p)
    st = wait_lf_capture(p, logp, BIG_N, 4 * 3600)
    last = None
    with open(logp, errors="replace") as f:
        for line in f:
            if "first replication" in line:
                last = line[:23]
    if last:
        import datetime
        t = datetime.datetime.strptime(last, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
        out["capture_s"] = round(t.timestamp() - wall0, 1)
    out["capture_status"] = st
    out["capture_s_upper"] = round(time.monotonic() - t0)  # status lines come every 30 s
    out["captured_dirs"] = count_captured(lf_replica_dir(replica, data, x) for x in paths)
    log("captured", st, out["captured_dirs"])
    uptime("big: captured")
    # two more scans after the capture, for steady-state scan times
    want = st["scans"] + 2
    while True:
        ss = statuses(logp)
        if ss[-1]["scans"] >= want:
            break
        if p.poll() is not None:
            raise RuntimeError("litefleet exited")
        time.sleep(5)
    after = [s for s in ss if s["scans"] > st["scans"]]
    out["scan_ms"] = sorted({(s["scans"], s.get("lastScanMs")) for s in after})  # gone from newer status lines
    known = [v for _, v in out["scan_ms"] if v is not None]
    out["scan_ms_median"] = statistics.median(known) if known else None
    out["status_after"] = ss[-1]
    h = heap(pid)
    out["heap_live"] = h["live"]
    out["heap_info_used"] = h["heap_info_used"]
    out["heap_per_db"] = round((h["live"] - h0["live"]) / BIG_N, 1)
    out["heap_info_per_db"] = round((h["heap_info_used"] - h0["heap_info_used"]) / BIG_N, 1)
    top = []
    for cls, (cnt, b) in h["classes"].items():
        if "Filler" in cls:
            continue
        c0, b0 = h0["classes"].get(cls, (0, 0))
        top.append((b - b0, cnt - c0, cls))
    top.sort(reverse=True)
    out["top_classes"] = [{"class": c, "bytes_per_db": round(db / BIG_N, 1), "instances_per_db": round(dc / BIG_N, 3)}
                          for db, dc, c in top[:10]]
    out["stats"] = pstats(pid)
    log("heap", out["heap_per_db"], out["stats"])
    out["stat_loop"] = stat_loops(data)
    log("stat loop", out["stat_loop"])
    save()
    out["promotion_watch"] = promotion_latency(data, replica, paths, PROMO_SAMPLES)
    log("promotion (watch)", out["promotion_watch"])
    out["stats_after_promotions"] = pstats(pid)
    out["status_final"] = statuses(logp)[-1]
    out["stop"] = stop(p, 120)
    out["log"] = log_summary(logp)
    save()
    if SKIP_SCANONLY:
        return
    # scan only: inotify disabled through a user namespace; same state dir, so nothing is captured again
    uptime("big: scan-only start")
    logp = f"{BASE}/lf-big-scanonly.log"
    cmd = "echo 0 > /proc/sys/user/max_inotify_instances && exec \"$0\" \"$@\""
    p = start(["unshare", "-U", "-r", "sh", "-c", cmd, LF, "replicate", "-config", cfg], logp, env)
    t0 = time.monotonic()
    while True:
        ss = statuses(logp)
        if ss and ss[-1]["scans"] >= 1 and ss[-1]["backlog"] == 0:
            break
        if p.poll() is not None or time.monotonic() - t0 > 1800:
            out["scan_only"] = {"error": f"did not start: rc={p.poll()}", "log": log_summary(logp)}
            stop(p)
            return
        time.sleep(2)
    out["scan_only"] = {"status": ss[-1]}
    rest = [x for x in paths if x not in {r["db"] for r in out["promotion_watch"]}]
    out["scan_only"]["promotion"] = promotion_latency(data, replica, rest, PROMO_SAMPLES, parallel_window=30,
                                                      timeout=150)
    out["scan_only"]["status_final"] = statuses(logp)[-1]
    out["scan_only"]["stop"] = stop(p, 120)
    out["scan_only"]["log"] = log_summary(logp)
    log("promotion (scan only)", out["scan_only"])
    save()


def phase_small(n):
    data = f"{BASE}/data"
    res = results.setdefault("small", {}).setdefault(str(n), {})
    for tool in ("litefleet", "litestream"):
        uptime(f"N={n} {tool}: start")
        replica, state = f"{BASE}/replica-{tool}", f"{BASE}/state"
        fresh(data, replica, state)
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(n), data], check=True,
                       stdout=subprocess.DEVNULL)
        paths = [gen.path_of(data, i) for i in range(n)]
        logp = f"{BASE}/{tool}-{n}.log"
        if tool == "litefleet":
            argv = [LF, "replicate", "-config", lf_config(data, replica, state)]
            dir_of = lambda x: lf_replica_dir(replica, data, x)  # noqa: E731
            env = dict(E, JAVA_OPTS="")
        else:
            argv = [LS, "replicate", "-config", ls_config(data, replica)]
            dir_of = lambda x: ls_replica_dir(replica, data, x)  # noqa: E731
            env = None
        r = res.setdefault(tool, {})
        t0 = time.monotonic()
        p = start(argv, logp, env)
        pid = java_pid(p) if tool == "litefleet" else p.pid
        try:
            limit = float(E.get("CAPTURE_TIMEOUT", max(300, n / 5)))
            r["capture_s"] = round(wait_dirs_captured(p, [dir_of(x) for x in paths], limit), 1)
            r["at_capture"] = pstats(pid)
            log(tool, n, "captured in", r["capture_s"], r["at_capture"])
            s0 = pstats(pid)
            time.sleep(IDLE_SECS)
            if p.poll() is not None:
                raise RuntimeError(f"exited with {p.returncode} while idle")
            s1 = pstats(pid)
            r["idle"] = dict(s1, cpu_s=round(s1["cpu_s"] - s0["cpu_s"], 2), secs=IDLE_SECS)
            log(tool, n, "idle", r["idle"])
            r["lag"] = lag_run(paths, dir_of, pid, WARMUP_SECS, LAG_SECS)
            log(tool, n, "lag", r["lag"])
            if tool == "litefleet":
                r["status"] = statuses(logp)[-1:]
        except Exception as e:  # record how it failed and go on
            r["error"] = str(e)
            try:
                r["at_error"] = pstats(pid)
            except OSError:
                pass
            log(tool, n, "FAILED", e)
        r["stop"] = stop(p, 60)
        r["log"] = log_summary(logp)
        shutil.copy(logp, logp + ".kept") if os.path.getsize(logp) < 5_000_000 else None
        save()
    shutil.rmtree(data, ignore_errors=True)


def main():
    signal.signal(signal.SIGTERM, kill_all)
    signal.signal(signal.SIGINT, kill_all)
    try:
        results["versions"] = {
            "litestream": subprocess.run([LS, "version"], capture_output=True, text=True).stdout.strip(),
            "litefleet": subprocess.run([LF, "--version"], capture_output=True, text=True).stdout.strip()[:80]}
        results["machine"] = {"nproc": os.cpu_count(), "ulimit_n": subprocess.run(
            ["sh", "-c", "ulimit -n"], capture_output=True, text=True).stdout.strip()}
        def big():
            try:
                phase_big()
            except Exception as e:
                results.setdefault("big", {})["error"] = str(e)
                log("big FAILED", e)
        if not SKIP_BIG and BIG_FIRST:
            big()
        if not SKIP_SMALL:
            for n in SMALL_NS:
                phase_small(n)
        if not SKIP_BIG and not BIG_FIRST:
            big()
        uptime("end")
    finally:
        save()
        kill_all()


if __name__ == "__main__":
    main()
