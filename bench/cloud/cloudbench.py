#!/usr/bin/env python3
"""Cloud benchmark (issue 10): Litefleet vs upstream litestream v0.5.16 replicating to an S3 server (versitygw) on
loopback, same run. Entry point: run.sh (it builds, sets the knobs and writes the report). Stdlib only.

Phases (each tool in turn, same server, same proxy, fresh databases and a fresh key prefix per tool and run):
  lag       N databases (1,000) each commit once a second; both tools reach the store through proxy.py, which adds
            DELAY_MS (50) to every request. Lag = commit returned -> the proxy has the store's 2xx answer to the PUT
            of an .ltx whose header says database size >= the page count read right after that commit (every commit
            grows the database, see writer.py). This is bench/fleet's "commit -> new file in the replica" made exact:
            a file that merely appears after the commit is not enough, it must contain it. The fleet-style figure
            (first .ltx of that database after the commit, whatever it holds) is kept next to it.
  requests  after the lag phase and SETTLE_SECS, the whole fleet idle for IDLE_SECS: requests per idle database per
            day (extrapolated); then ACTIVE_N databases commit once a second for ACTIVE_SECS (after ACTIVE_WARMUP):
            requests whose key or LIST prefix names one of them, per active database per minute.
  throughput  a TP_MB database uploaded (start -> first complete .ltx object visible in the store) and restored
            (`restore -o`, wall time, process start included), straight to versitygw (no proxy), TP_REPS times,
            tool order alternating; the first restore of each tool is checked against the source.
"""
import bisect, json, os, random, re, shutil, signal, socket, sqlite3, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fleet"))
import gen  # noqa: E402  (bench/fleet's layout: p<i>/databases/d<j>/branches/b<k>/tenants/t<n>.db)

E = os.environ
QUICK = E.get("QUICK", "0") == "1"


def knob(name, quick, full, conv=int):
    return conv(E.get(name, quick if QUICK else full))


BASE = E.get("BASE", "/tmp/lfcloud")
LF = E["LF_BIN"]
LS = E.get("LS_BIN", os.path.expanduser("~/go/bin/litestream"))
GW = E.get("VERSITYGW", os.path.expanduser("~/go/bin/versitygw"))
OUT_JSON = E.get("OUT_JSON", os.path.join(BASE, "results.json"))
N = knob("N", 1000, 1000)
DELAY_MS = knob("DELAY_MS", 50, 50, float)
WARMUP_SECS = knob("WARMUP_SECS", 20, 30)
LAG_SECS = knob("LAG_SECS", 60, 120)
GRACE_SECS = knob("GRACE_SECS", 60, 120)
LAG_REPS = knob("LAG_REPS", 1, 1)
SETTLE_SECS = knob("SETTLE_SECS", 90, 330)
HOT_IDLE = E.get("HOT_IDLE", "1m")
IDLE_SECS = knob("IDLE_SECS", 120, 300)
ACTIVE_N = knob("ACTIVE_N", 20, 20)
ACTIVE_SECS = knob("ACTIVE_SECS", 60, 120)
ACTIVE_WARMUP = knob("ACTIVE_WARMUP", 15, 15)
TP_MB = knob("TP_MB", 1024, 1024)
TP_REPS = knob("TP_REPS", 3, 3)
CHECK_DBS = knob("CHECK_DBS", 5, 5)
WRITER_THREADS = knob("WRITER_THREADS", 4, 4)
CAPTURE_TIMEOUT = knob("CAPTURE_TIMEOUT", 900, 900)
# litefleet: a dbs: list of the N databases (every one hot from the start, as litestream's dbs: list);
# litefleet-fleet: fleet mode (multi-db:, max-hot-databases >= N): databases start cold and are promoted by the writes
TOOLS = E.get("TOOLS", "litefleet litefleet-fleet litestream").split()
SHORT = {"litefleet": "lf", "litefleet-fleet": "lff", "litestream": "ls"}
SKIP = set(filter(None, E.get("SKIP", "").replace(",", " ").split()))  # lag requests throughput
BUCKET, AK, SK, REGION = "bench", "LFBENCHAK", "lfbench-secret-key", "us-east-1"
CLK = os.sysconf("SC_CLK_TCK")
mono = time.monotonic

procs = []
results = {"quick": QUICK, "knobs": dict(N=N, DELAY_MS=DELAY_MS, WARMUP_SECS=WARMUP_SECS, LAG_SECS=LAG_SECS,
                                          GRACE_SECS=GRACE_SECS, LAG_REPS=LAG_REPS, SETTLE_SECS=SETTLE_SECS,
                                          HOT_IDLE=HOT_IDLE, IDLE_SECS=IDLE_SECS, ACTIVE_N=ACTIVE_N,
                                          ACTIVE_SECS=ACTIVE_SECS, ACTIVE_WARMUP=ACTIVE_WARMUP, TP_MB=TP_MB,
                                          TP_REPS=TP_REPS, CHECK_DBS=CHECK_DBS, TOOLS=TOOLS, SKIP=sorted(SKIP)),
           "load": [], "lag": [], "throughput": {}, "notes": []}


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def load(tag):
    with open("/proc/loadavg") as f:
        la = " ".join(f.read().split()[:3])
    results["load"].append(f"{time.strftime('%H:%M:%S')} {tag}: {la}")
    log("load", tag, la)


def save():
    with open(OUT_JSON, "w") as f:
        json.dump(results, f, indent=1, default=str)


# ---------------------------------------------------------------- processes (ours only, each in its own session)

def start(argv, logpath, env=None):
    f = open(logpath, "w")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                         start_new_session=True)
    procs.append(p)
    with open(os.path.join(BASE, "pids"), "a") as pf:
        pf.write(f"{p.pid}\n")
    return p


def stop(p, timeout=120):
    """SIGTERM to the process group; returns [seconds to exit, exit code]."""
    if p.poll() is not None:
        return [0.0, p.returncode]
    t0 = mono()
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        rc = p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        rc = f"no exit within {timeout}s of SIGTERM; SIGKILLed"
    return [round(mono() - t0, 2), rc]


def kill_all(*_):
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if _:
        sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pstats(pid):
    with open(f"/proc/{pid}/status") as f:
        st = dict(line.split(":", 1) for line in f if ":" in line)
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return {"rss_mb": round(int(st["VmRSS"].split()[0]) / 1024, 1), "hwm_mb": round(int(st["VmHWM"].split()[0]) / 1024, 1),
            "threads": int(st["Threads"]), "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "cpu_s": (int(fields[11]) + int(fields[12])) / CLK}


def cpu_s(pid):
    try:
        return pstats(pid)["cpu_s"]
    except OSError:
        return None


class Sampler(threading.Thread):
    """Samples /proc of the replicator every 2 s."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.halt, self.samples = pid, threading.Event(), []

    def run(self):
        while not self.halt.wait(2):
            try:
                self.samples.append(dict(pstats(self.pid), t=mono()))
            except OSError:
                return

    def summary(self, t0, t1):
        s = [x for x in self.samples if t0 <= x["t"] <= t1] or self.samples[-1:]
        if not s:
            return {}
        return {"threads_max": max(x["threads"] for x in s), "threads_median": statistics.median(x["threads"] for x in s),
                "rss_median_mb": statistics.median(x["rss_mb"] for x in s), "rss_max_mb": max(x["rss_mb"] for x in s),
                "hwm_mb": s[-1]["hwm_mb"], "fds_max": max(x["fds"] for x in s)}


def log_summary(path):
    n, bad, levels, kinds = 0, [], {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            n += 1
            m = re.search(r"\b(level=)?(INFO|WARN|WARNING|ERROR|DEBUG|SEVERE)\b", line)
            mm = re.search(r'msg="?([^"=]*?)"?(?: \w+=|$)', line) if "msg=" in line else \
                re.search(r"\b(?:INFO|WARN|WARNING|ERROR|SEVERE)\s+(.*)", line)
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
    return {"lines": n, "levels": levels, "warn_error_sample": bad,
            "top_messages": sorted(kinds.items(), key=lambda x: -x[1])[:6]}


# ---------------------------------------------------------------- the proxy's event log

class Events:
    """Tails proxy.py's TSV. Row: (t_head, t_done, op, status, up, down, who, db, level, commit, deleted, held, body_s,
    server_s)."""

    def __init__(self, path):
        self.path, self.pos, self.rows, self.rest = path, 0, [], ""

    def poll(self):
        try:
            with open(self.path) as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except FileNotFoundError:
            return self.rows
        data = self.rest + data
        lines = data.split("\n")
        self.rest = lines.pop()
        for line in lines:
            c = line.split("\t")
            if len(c) < 14:
                continue
            extra = tuple(float(x) for x in c[14:17]) if len(c) >= 17 else (None, None, None)
            self.rows.append((float(c[0]), float(c[1]), c[3], int(c[4]), int(c[5]), int(c[6]), c[7], c[8], c[9],
                              int(c[12]) if c[12] != "-" else None, int(c[13]) if c[13].isdigit() else None) + extra)
        return self.rows

    def window(self, who, t0, t1):
        return [r for r in self.poll() if r[6] == who and t0 <= r[0] < t1]


def ltx_puts(events, who):
    """{db: ([t_done...], [running max of commit...])} for the 2xx PUTs of .ltx files."""
    per = {}
    for r in events.poll():
        if r[6] == who and r[2] == "put" and 200 <= r[3] < 300 and r[9] is not None:
            per.setdefault(r[7], []).append((r[1], r[9]))
    out = {}
    for db, lst in per.items():
        lst.sort()
        ts, mx, m = [], [], 0
        for t, c in lst:
            m = max(m, c)
            ts.append(t)
            mx.append(m)
        out[db] = (ts, mx)
    return out


def turnaround(rows):
    """How long the store (proxy + versitygw) took for the PUTs of a window, in ms: did it keep its DELAY_MS?"""
    puts = [r for r in rows if r[2] == "put" and r[11] is not None]
    if not puts:
        return {}

    def q(vals):
        vals = sorted(vals)
        return [round(vals[len(vals) // 2] * 1000, 1), round(vals[min(len(vals) - 1, int(0.99 * len(vals)))] * 1000, 1)]
    return {"puts": len(puts), "total_p50_p99_ms": q(r[1] - r[0] for r in puts), "held_p50_p99_ms": q(r[11] for r in puts),
            "body_p50_p99_ms": q(r[12] for r in puts), "server_p50_p99_ms": q(r[13] for r in puts)}


def count_requests(rows, secs, dbs=None):
    """Requests by operation (2xx and others), bytes, and per database (when dbs names the databases counted)."""
    by_op, errors, up, down, keys_deleted = {}, {}, 0, 0, 0
    for r in rows:
        by_op[r[2]] = by_op.get(r[2], 0) + 1
        if not 200 <= r[3] < 300:
            errors[f"{r[2]} {r[3]}"] = errors.get(f"{r[2]} {r[3]}", 0) + 1
        up += r[4]
        down += r[5]
        keys_deleted += r[10] or 0
    out = {"requests": len(rows), "secs": round(secs, 1), "by_op": by_op, "non_2xx": errors,
           "mb_up": round(up / 1e6, 2), "mb_down": round(down / 1e6, 3), "keys_deleted_in_batches": keys_deleted}
    if dbs is not None:
        out["per_db"] = len(rows) / len(dbs)
    return out


# ---------------------------------------------------------------- fleet and tools

def tenant_of(i):
    return f"t{i}"


def lf_key_path(who, i):
    d = i // gen.PER_DIR
    return f"{who}/p{d // 100}/d{d // 10 % 10}/b{d % 10}/t{i}"


def ls_key_path(who, i):
    return f"{who}/t{i}"


def make_fleet(data, n):
    """n databases in bench/fleet's layout, 1024-byte pages, WAL, table t(id, b) with one row."""
    shutil.rmtree(data, ignore_errors=True)
    tpl = os.path.join(BASE, "template.db")
    for x in (tpl, tpl + "-wal", tpl + "-shm"):
        if os.path.exists(x):
            os.remove(x)
    c = sqlite3.connect(tpl)
    c.execute("PRAGMA page_size=1024")
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
    c.execute("INSERT INTO t (b) VALUES (zeroblob(1024))")
    c.commit()
    c.close()
    with open(tpl, "rb") as f:
        body = f.read()
    paths = []
    for i in range(n):
        p = gen.path_of(data, i)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(body)
        paths.append(p)
    return paths


def key_path(tool, who, i):
    return lf_key_path(who, i) if tool == "litefleet-fleet" else ls_key_path(who, i)


def tool_env(tool):
    env = dict(E, AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK, AWS_REGION=REGION)
    env.pop("JAVA_OPTS", None)  # the launcher as shipped
    if tool == "litestream":
        env.pop("AWS_CA_BUNDLE", None)  # breaks upstream's S3 client ("unable to add custom RootCAs")
    return env


def lf_fleet_config(data, state, who, endpoint):
    path = os.path.join(BASE, f"{who}.yml")
    with open(path, "w") as f:
        f.write(f"""state-dir: {state}
multi-db:
  enabled: true
  patterns:
    - "{data}/*/databases/*/branches/*/tenants/*.db"
  max-hot-databases: {max(1000, N)}
  scan-interval: 30s
  hot-idle-timeout: {HOT_IDLE}
  replica-template:
    type: s3
    bucket: {BUCKET}
    path: "{who}/{{{{project}}}}/{{{{database}}}}/{{{{branch}}}}/{{{{tenant}}}}"
    region: {REGION}
    endpoint: {endpoint}
    sync-interval: 1s
""")
    return path


def ls_config(paths, who, endpoint, state=None):
    """A dbs: list (litestream's syntax; Litefleet reads it too, with its state-dir: on top)."""
    path = os.path.join(BASE, f"{who}.yml")
    with open(path, "w") as f:
        if state:
            f.write(f"state-dir: {state}\n")
        f.write("dbs:\n")
        for i, p in enumerate(paths):
            f.write(f"  - path: {p}\n    replica:\n      url: s3://{BUCKET}/{ls_key_path(who, i)}?endpoint={endpoint}"
                    f"&region={REGION}&forcePathStyle=true\n      sync-interval: 1s\n")
    return path


def s3_url(path, endpoint, tool):
    style = "force-path-style" if tool == "litefleet" else "forcePathStyle"
    return f"s3://{BUCKET}/{path}?endpoint={endpoint}&region={REGION}&{style}=true"


def run_writer(paths, secs, tag, seed):
    lst = os.path.join(BASE, f"writer-{tag}.txt")
    with open(lst, "w") as f:
        f.write("\n".join(paths) + "\n")
    out = os.path.join(BASE, f"commits-{tag}.tsv")
    p = start([sys.executable, os.path.join(HERE, "writer.py"), "--list", lst, "--secs", str(secs), "--out", out,
               "--threads", str(WRITER_THREADS), "--seed", str(seed)], os.path.join(BASE, f"writer-{tag}.log"))
    return p, out


def all_hot_after(logp, wall0):
    """Seconds from the writer's start to the first status line (every 30 s) with hot >= N, or None."""
    import datetime
    for line in open(logp, errors="replace"):
        m = re.search(r"^(\S+Z) .*Status\[.*\bhot=(\d+)", line)
        if m and int(m.group(2)) >= N:
            t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
            if t.timestamp() > wall0:
                return round(t.timestamp() - wall0, 1)
    return None


def read_commits(out):
    start_t, commits, errors, cpu = None, [], 0, 0.0
    with open(out) as f:
        for line in f:
            if line.startswith("# start"):
                start_t = float(line.split()[2])
            elif line.startswith("# errors"):
                errors = int(line.split()[2])
            elif line.startswith("# cpu"):
                cpu = float(line.split()[2])
            else:
                i, k, due, tc, pc = line.split("\t")
                commits.append((int(i), int(k), float(due), float(tc), int(pc)))
    return start_t, commits, errors, cpu


def pct(xs, q):
    return round(xs[min(len(xs) - 1, int(q * len(xs)))] * 1000) if xs else None


def lag_stats(commits, puts, t0, t1):
    """Lags (s) of the commits made in [t0, t1): exact (file contains the commit) and fleet-style (any later file)."""
    lags, first, missing, behind = [], [], 0, set()
    per_time = []
    for i, k, due, tc, pc in commits:
        if not t0 <= tc < t1:
            continue
        ts, mx = puts.get(tenant_of(i), ([], []))
        j = bisect.bisect_left(mx, pc)
        if j == len(mx):
            missing += 1
            behind.add(i)
        else:
            lags.append(ts[j] - tc)
            per_time.append((tc, ts[j] - tc))
        j = bisect.bisect_right(ts, tc)
        if j < len(ts):
            first.append(ts[j] - tc)
    lags.sort()
    first.sort()
    per_time.sort()
    third = len(per_time) // 3
    early = sorted(x for _, x in per_time[:third])
    late = sorted(x for _, x in per_time[-third:]) if third else []
    return {"commits": len(lags) + missing, "missing": missing, "dbs_left_behind": len(behind),
            "p50_ms": pct(lags, 0.5), "p99_ms": pct(lags, 0.99), "max_ms": round(lags[-1] * 1000) if lags else None,
            "mean_ms": round(statistics.mean(lags) * 1000) if lags else None,
            "p99_first_third_ms": pct(early, 0.99), "p99_last_third_ms": pct(late, 0.99),
            "fleet_style_p50_ms": pct(first, 0.5), "fleet_style_p99_ms": pct(first, 0.99)}


def unreplicated_last(commits, puts):
    """Databases whose last commit is not yet in the store."""
    last = {}
    for i, k, due, tc, pc in commits:
        if pc > last.get(i, 0):
            last[i] = pc
    left = []
    for i, pc in last.items():
        mx = puts.get(tenant_of(i), ([], []))[1]
        if not mx or mx[-1] < pc:
            left.append(i)
    return left


def restore_check(tool, who, paths, rng):
    """Stock litestream restore (the same restorer for both replicas) of a few databases, straight from versitygw."""
    out = []
    for i in rng.sample(range(len(paths)), min(CHECK_DBS, len(paths))):
        key = key_path(tool, who, i)
        dst = os.path.join(BASE, "check.db")
        for x in (dst, dst + "-wal", dst + "-shm"):
            if os.path.exists(x):
                os.remove(x)
        r = subprocess.run([LS, "restore", "-o", dst, s3_url(key, GW_URL, "litestream")], capture_output=True,
                           text=True, timeout=300, env=tool_env("litestream"))
        if r.returncode != 0:
            out.append(f"t{i}: restore failed: {r.stderr.strip()[-200:]}")
            continue
        want = sqlite3.connect(paths[i]).execute("SELECT count(*), max(id) FROM t").fetchone()
        c = sqlite3.connect(dst)
        got = c.execute("SELECT count(*), max(id) FROM t").fetchone()
        ok = c.execute("PRAGMA integrity_check").fetchone()[0]
        c.close()
        out.append("ok" if got == want and ok == "ok" else f"t{i}: rows {got} != source {want} or {ok}")
    return out


def fleet_run(tool, rep, events, with_requests):
    who = SHORT[tool] + str(rep)
    res = {"tool": tool, "rep": rep, "who": who}
    results["lag"].append(res)
    data, state = os.path.join(BASE, "data"), os.path.join(BASE, f"state-{who}")
    load(f"{who} start")
    paths = make_fleet(data, N)
    if tool == "litefleet-fleet":
        argv = [LF, "replicate", "-config", lf_fleet_config(data, state, who, PROXY_URL)]
    elif tool == "litefleet":
        argv = [LF, "replicate", "-config", ls_config(paths, who, PROXY_URL, state)]
    else:
        argv = [LS, "replicate", "-config", ls_config(paths, who, PROXY_URL)]
    logp = os.path.join(BASE, f"{who}.log")
    t_start = mono()
    p = start(argv, logp, tool_env(tool))
    pid = p.pid  # the launcher execs java
    sampler = Sampler(pid)
    sampler.start()
    rng = random.Random(7 + rep)
    try:
        # capture: every database has one .ltx in the store
        while True:
            if p.poll() is not None:
                raise RuntimeError(f"exited with {p.returncode} during the capture")
            done = len(ltx_puts(events, who))
            if done >= N:
                break
            if mono() - t_start > CAPTURE_TIMEOUT:
                raise RuntimeError(f"capture not finished after {CAPTURE_TIMEOUT}s ({done}/{N})")
            time.sleep(1)
        res["capture_s"] = round(mono() - t_start, 1)
        time.sleep(5)
        res["after_capture"] = pstats(pid)
        log(who, "captured", N, "in", res["capture_s"], "s", res["after_capture"])
        # lag
        load(f"{who} lag start")
        w, out = run_writer(paths, WARMUP_SECS + LAG_SECS, f"{who}-lag", 100 + rep)
        pr0, gw0 = cpu_s(PROXY.pid), cpu_s(GWP.pid)
        w.wait()
        t_w = mono()
        w_start, commits, werr, wcpu = read_commits(out)
        w_wall = time.time() - (mono() - w_start)
        m0, m1 = w_start + WARMUP_SECS, w_start + WARMUP_SECS + LAG_SECS
        cpu = [x for x in sampler.samples if m0 <= x["t"] <= m1]
        res["writer"] = {"commits": len(commits), "errors": werr, "cpu_pct": round(100 * wcpu / (t_w - w_start), 1),
                         "commits_per_s_window": round(sum(1 for c in commits if m0 <= c[3] < m1) / LAG_SECS, 1),
                         "late_max_s": round(max((tc - due for _, _, due, tc, _ in commits), default=0), 3),
                         "late_p99_s": round(sorted(tc - due for _, _, due, tc, _ in commits)[int(0.99 * len(commits))], 3)
                         if commits else None}
        res["resources"] = sampler.summary(m0, m1)
        if len(cpu) >= 2:
            res["resources"]["cpu_pct"] = round(100 * (cpu[-1]["cpu_s"] - cpu[0]["cpu_s"]) / (cpu[-1]["t"] - cpu[0]["t"]), 1)
        res["proxy_cpu_pct"] = round(100 * (cpu_s(PROXY.pid) - pr0) / (t_w - w_start + 1), 1)
        res["gw_cpu_pct"] = round(100 * (cpu_s(GWP.pid) - gw0) / (t_w - w_start + 1), 1)
        load(f"{who} lag end")
        # grace: wait until every database's last commit is in the store
        while mono() - t_w < GRACE_SECS:
            left = unreplicated_last(commits, ltx_puts(events, who))
            if not left:
                break
            time.sleep(1)
        res["grace_s"] = round(mono() - t_w, 1)
        puts = ltx_puts(events, who)
        res["left_after_grace"] = len(unreplicated_last(commits, puts))
        res["lag"] = lag_stats(commits, puts, m0, m1)
        rows = events.window(who, m0, m1)
        res["requests_lag_window"] = count_requests(rows, m1 - m0, paths)
        res["requests_lag_window"]["per_active_db_per_min"] = round(len(rows) / N / ((m1 - m0) / 60), 2)
        res["ltx_puts_per_s"] = round(sum(1 for r in rows if r[2] == "put") / (m1 - m0), 1)
        res["store_turnaround"] = turnaround(rows)
        if tool == "litefleet-fleet":
            res["all_hot_after_s"] = all_hot_after(logp, w_wall)
        log(who, "lag", res["lag"], "left", res["left_after_grace"])
        save()
        if with_requests:
            time.sleep(SETTLE_SECS)
            load(f"{who} idle start")
            t0 = mono()
            time.sleep(IDLE_SECS)
            t1 = mono()
            idle = count_requests(events.window(who, t0, t1), t1 - t0)
            idle["per_idle_db_per_day"] = round(idle["requests"] / N / (t1 - t0) * 86400, 2)
            idle["resources"] = pstats(pid)
            cpu_idle = [x for x in sampler.samples if t0 <= x["t"] <= t1]
            if len(cpu_idle) >= 2:
                idle["cpu_pct"] = round(100 * (cpu_idle[-1]["cpu_s"] - cpu_idle[0]["cpu_s"]) / (cpu_idle[-1]["t"] - cpu_idle[0]["t"]), 2)
            res["idle"] = idle
            log(who, "idle", idle)
            act = sorted(rng.sample(range(N), min(ACTIVE_N, N)))
            w, out = run_writer([paths[i] for i in act], ACTIVE_WARMUP + ACTIVE_SECS, f"{who}-active", 200 + rep)
            w.wait()
            a_start, acommits, _, _ = read_commits(out)
            a0, a1 = a_start + ACTIVE_WARMUP, a_start + ACTIVE_WARMUP + ACTIVE_SECS
            acommits = [(act[i], k, d, tc, pc) for i, k, d, tc, pc in acommits]
            t_w = mono()
            while mono() - t_w < GRACE_SECS and unreplicated_last(acommits, ltx_puts(events, who)):
                time.sleep(1)
            names = {tenant_of(i) for i in act}
            rows = events.window(who, a0, a1)
            mine = [r for r in rows if r[7] in names]
            a = count_requests(mine, a1 - a0, names)
            a["per_active_db_per_min"] = round(len(mine) / len(act) / ((a1 - a0) / 60), 2)
            a["unattributed_in_window"] = len(rows) - len(mine)
            a["lag"] = lag_stats(acommits, ltx_puts(events, who), a0, a1)
            res["active"] = a
            log(who, "active", a)
            load(f"{who} requests end")
    except Exception as e:  # record how it failed, go on with the next tool
        res["error"] = str(e)
        log(who, "FAILED", e)
    sampler.halt.set()
    if tool.startswith("litefleet"):
        st = [line.strip() for line in open(logp, errors="replace") if "Status[" in line]
        res["fleet_status_last"] = st[-1][-400:] if st else None
    res["stop"] = stop(p)
    try:
        res["restore_check"] = restore_check(tool, who, paths, rng)
    except Exception as e:
        res["restore_check"] = [f"check failed: {e}"]
    res["log"] = log_summary(logp)
    shutil.copy(logp, os.path.join(BASE, "logs", os.path.basename(logp)))
    shutil.rmtree(os.path.join(GW_DIR, BUCKET, who), ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    save()


# ---------------------------------------------------------------- throughput

def sha(db):
    return subprocess.run(["sqlite3", db, ".sha3sum t"], capture_output=True, text=True, check=True).stdout.strip()


def first_object(prefix_dir):
    for root, _, files in os.walk(prefix_dir):
        for f in files:
            if f.endswith(".ltx"):
                return os.path.join(root, f)
    return None


def throughput():
    tp = results["throughput"]
    work = os.path.join(BASE, "tp")
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "src.db")
    rows = TP_MB * 1000
    log(f"generating a {TP_MB} MB database ({rows} rows of 500 random + 500 zero bytes)")
    t0 = mono()
    sql = (f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"
           f"CREATE TABLE t(id INTEGER PRIMARY KEY, ts REAL, payload BLOB);"
           f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<{rows}) "
           f"INSERT INTO t SELECT x, x, randomblob(500)||zeroblob(500) FROM c;"
           f"PRAGMA journal_mode=WAL;")
    subprocess.run(["sqlite3", src], input=sql.encode(), check=True, capture_output=True)
    size = os.path.getsize(src)
    tp.update(size_bytes=size, gen_s=round(mono() - t0, 1), runs=[])
    want = sha(src)
    mb = size / 1e6
    tools = [t for t in TOOLS if t in ("litefleet", "litestream")]
    for rep in range(TP_REPS):
        order = tools if rep % 2 == 0 else tools[::-1]
        for tool in order:
            who = f"tp{rep}-{'lf' if tool == 'litefleet' else 'ls'}"
            run = {"tool": tool, "rep": rep}
            tp["runs"].append(run)
            load(f"{who} upload")
            db = os.path.join(work, f"{who}.db")
            subprocess.run(["cp", "--reflink=never", src, db], check=True)
            subprocess.run(["sync"], check=True)
            url = s3_url(who, GW_URL, tool)
            state = os.path.join(work, f"state-{who}")
            argv = [LF, "replicate", "--state-dir", state, db, url] if tool == "litefleet" else [LS, "replicate", db, url]
            logp = os.path.join(BASE, f"{who}.log")
            t0 = mono()
            p = start(argv, logp, tool_env(tool))
            prefix = os.path.join(GW_DIR, BUCKET, who)
            obj = None
            while mono() - t0 < 1800 and p.poll() is None:
                obj = first_object(prefix)
                if obj:
                    break
                time.sleep(0.05)
            if not obj:
                run["error"] = f"no .ltx object after {round(mono() - t0)} s (exit {p.poll()})"
                stop(p)
                run["log"] = log_summary(logp)
                log(who, "FAILED", run["error"])
                continue
            up_s = mono() - t0
            st = pstats(p.pid)
            run.update(upload_s=round(up_s, 2), upload_mb_s=round(mb / up_s, 1), object_mb=round(os.path.getsize(obj) / 1e6, 1),
                       object=os.path.relpath(obj, prefix), replicator_hwm_mb=st["hwm_mb"], replicator_cpu_s=round(st["cpu_s"], 1))
            time.sleep(1)
            run["stop"] = stop(p)
            run["log"] = log_summary(logp)
            shutil.copy(logp, os.path.join(BASE, "logs", os.path.basename(logp)))
            os.remove(db)
            shutil.rmtree(state, ignore_errors=True)
            # restore
            load(f"{who} restore")
            dst = os.path.join(work, f"{who}-restored.db")
            exe = LF if tool == "litefleet" else LS
            timef = os.path.join(work, "time.txt")
            t0 = mono()
            r = subprocess.run(["/usr/bin/time", "-f", "%M %e %U %S", "-o", timef, exe, "restore", "-o", dst, url],
                               capture_output=True, text=True, env=tool_env(tool), timeout=1800)
            rs = mono() - t0
            if r.returncode != 0:
                run["restore_error"] = (r.stdout + r.stderr).strip()[-300:]
            else:
                maxrss, _, u, s = open(timef).read().split()[-4:]
                run.update(restore_s=round(rs, 2), restore_mb_s=round(mb / rs, 1), restore_maxrss_mb=round(int(maxrss) / 1024),
                           restore_cpu_s=round(float(u) + float(s), 1))
                if rep == 0:
                    run["restore_equal"] = sha(dst) == want
                    c = sqlite3.connect(dst)
                    run["restore_integrity"] = c.execute("PRAGMA quick_check").fetchone()[0]
                    c.close()
            for x in (dst, dst + "-wal", dst + "-shm"):
                if os.path.exists(x):
                    os.remove(x)
            shutil.rmtree(prefix, ignore_errors=True)
            log(who, run)
            save()
    tp["version_s"] = {}
    for tool, exe in (("litefleet", [LF, "--version"]), ("litestream", [LS, "version"])):
        ts = []
        for _ in range(3):
            t0 = mono()
            subprocess.run(exe, capture_output=True, env=tool_env(tool))
            ts.append(round(mono() - t0, 2))
        tp["version_s"][tool] = statistics.median(ts)
    os.remove(src)


# ---------------------------------------------------------------- main

def main():
    global GW_URL, PROXY_URL, GW_DIR, PROXY, GWP
    signal.signal(signal.SIGTERM, kill_all)
    signal.signal(signal.SIGINT, kill_all)
    os.makedirs(os.path.join(BASE, "logs"), exist_ok=True)
    try:
        results["versions"] = {
            "litestream": subprocess.run([LS, "version"], capture_output=True, text=True).stdout.strip(),
            "litefleet": subprocess.run([LF, "--version"], capture_output=True, text=True).stdout.strip()[:80],
            "git": E.get("GIT_COMMIT", "?"), "command": E.get("BENCH_COMMAND", "?")}
        results["machine"] = {"nproc": os.cpu_count(), "ulimit_n": subprocess.run(
            ["sh", "-c", "ulimit -n"], capture_output=True, text=True).stdout.strip()}
        gw_port, proxy_port = free_port(), free_port()
        GW_DIR = os.path.join(BASE, "gw")
        os.makedirs(os.path.join(GW_DIR, BUCKET))  # a bucket of versitygw's posix backend is a directory
        GW_URL, PROXY_URL = f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{proxy_port}"
        # --keep-alive: S3 keeps connections open (versitygw closes each one after one request by default);
        # --quiet: no stdout line per request (CPU on a 2-core machine)
        GWP = start([GW, "--access", AK, "--secret", SK, "--port", f"127.0.0.1:{gw_port}", "--health", "/health",
                     "--keep-alive", "--quiet", "posix", GW_DIR], os.path.join(BASE, "logs", "versitygw.log"))
        ev = os.path.join(BASE, "events.tsv")
        PROXY = start([sys.executable, os.path.join(HERE, "proxy.py"), "--listen", str(proxy_port), "--upstream",
                       f"127.0.0.1:{gw_port}", "--delay-ms", str(DELAY_MS), "--log", ev, "--max-seconds", "21600"],
                      os.path.join(BASE, "logs", "proxy.log"))
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", gw_port), 1), socket.create_connection(("127.0.0.1", proxy_port), 1):
                    break
            except OSError:
                time.sleep(0.1)
        events = Events(ev)
        if "lag" not in SKIP:
            for rep in range(LAG_REPS):
                for tool in (TOOLS if rep % 2 == 0 else TOOLS[::-1]):
                    fleet_run(tool, rep, events, with_requests=rep == 0 and "requests" not in SKIP)
        results["proxy_errors"] = sum(1 for r in events.poll() if r[2] == "proxy_error")
        if "throughput" not in SKIP:
            throughput()
        load("end")
        results["gw_log"] = log_summary(os.path.join(BASE, "logs", "versitygw.log"))
        stop(PROXY, 10)
        results["proxy_log"] = open(os.path.join(BASE, "logs", "proxy.log")).read().strip().splitlines()[-3:]
    finally:
        save()
        kill_all()


if __name__ == "__main__":
    main()
