#!/usr/bin/env python3
"""Cluster mode with the shipped launcher (issue 14, figures for the closing note).

claim N:   one `bin/litefleet replicate` (cluster: etcd, lease-ttl $TTL s (3 unless set), file replica) over N generated databases
           (bench/fleet/gen.py): seconds from launch until etcd holds N ownership keys; then etcd requests per
           second over WINDOW seconds (etcd's own grpc_server_started_total, all methods, from its metrics port),
           which is this one instance's cost, by method.
restart N: as claim, then once the first capture of all N is done (the log's "transient passes: ... captured"
           lines add up to N), SIGTERM (the lease is revoked: etcd holds 0 keys) and a new start on the same state
           directory: seconds from that launch until etcd holds N keys again (unchanged cold databases, claimed by the
           first scan with nothing to upload).
takeover:  12 databases, two instances a and b (lease-ttl $TTL s): TRIES times, kill -9 of the instance that owns them, time
           until etcd says the survivor owns all 12 (polled every 20 ms), then the killed one started again.

Starts its own etcd (127.0.0.1, free ports, data on /dev/shm) and ends only the processes it started, by PID;
every wait has a deadline. No extra JAVA_OPTS.
usage: e2e.py claim N [WINDOW] | e2e.py restart N | e2e.py takeover [TRIES]       prints one JSON line per figure
"""
import base64, contextlib, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LF = os.environ.get("LITEFLEET", os.path.join(ROOT, "distribution/target/litefleet/bin/litefleet"))
TTL = int(os.environ.get("TTL", "3"))  # lease-ttl in seconds; the default config's is 10
PATTERN = "*/databases/*/branches/*/tenants/*.db"
started = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(argv, log):
    p = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True,
                         env={k: v for k, v in os.environ.items() if k not in ("JAVA_OPTS", "JAVA_TOOL_OPTIONS")})
    started.append(p)
    return p


def end(p, sig=signal.SIGTERM, wait=60):
    if p.poll() is None:
        os.kill(p.pid, sig)
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()


def until(what, timeout, cond, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise SystemExit(f"timed out after {timeout} s: {what}")


class Etcd:
    def __init__(self, base):
        self.client, self.peer, self.metrics = free_port(), free_port(), free_port()
        self.data = tempfile.mkdtemp(prefix="lf-bench-etcd-", dir="/dev/shm")
        url = f"http://127.0.0.1:{self.client}"
        self.url = url
        self.p = spawn(["etcd", "--name", "m1", "--data-dir", self.data, "--listen-client-urls", url,
                        "--advertise-client-urls", url, "--listen-peer-urls", f"http://127.0.0.1:{self.peer}",
                        "--initial-advertise-peer-urls", f"http://127.0.0.1:{self.peer}",
                        "--initial-cluster", f"m1=http://127.0.0.1:{self.peer}",
                        "--listen-metrics-urls", f"http://127.0.0.1:{self.metrics}",
                        "--heartbeat-interval", "50", "--election-timeout", "500"], os.path.join(base, "etcd.log"))
        until("etcd healthy", 30, lambda: b'"health":"true"' in self.get("/health"), 0.1)

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics}{path}", timeout=2) as r:
                return r.read()
        except OSError:
            return b""

    def range(self, prefix, count_only=False):
        b64 = lambda s: base64.b64encode(s.encode()).decode()
        body = {"key": b64(prefix), "range_end": b64(prefix[:-1] + chr(ord(prefix[-1]) + 1))}
        if count_only:
            body["count_only"] = True
        req = urllib.request.Request(self.url + "/v3/kv/range", json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def owners(self, prefix):
        kvs = self.range(prefix).get("kvs", [])
        return [json.loads(base64.b64decode(kv["value"]))["instance"] for kv in kvs]

    def requests(self):
        """grpc_server_started_total by method (every request the gateway and clients made)."""
        out = {}
        for line in self.get("/metrics").decode().splitlines():
            if line.startswith("grpc_server_started_total{"):
                method = line.split('grpc_method="')[1].split('"')[0]
                out[method] = out.get(method, 0) + float(line.rsplit(" ", 1)[1])
        return out

    def close(self):
        end(self.p)
        shutil.rmtree(self.data, ignore_errors=True)


def config(base, inst, data, etcd, prefix, replica, state=None):
    path = os.path.join(base, inst + ".yml")
    with open(path, "w") as f:
        f.write(f"""state-dir: {base}/state-{state or inst}
multi-db:
  enabled: true
  patterns:
    - "{data}/{PATTERN}"
  max-hot-databases: 1000
  scan-interval: 30s
  replica-template:
    type: file
    path: "{replica}/{{{{project}}}}/{{{{database}}}}/{{{{branch}}}}/{{{{tenant}}}}"
    sync-interval: 1s
cluster:
  type: etcd
  endpoints: ["{etcd.url}"]
  instance-id: {inst}
  lease-ttl: {TTL}s
  prefix: {prefix}
""")
    return path


@contextlib.contextmanager
def generated_fleet(n, name):
    """A scratch directory with its own etcd and n generated databases under data/; yields (base, etcd, data) and
    afterwards kills what was started, stops etcd and removes the directory."""
    base = tempfile.mkdtemp(prefix=f"lf-bench-{name}-", dir="/work/.bench-tmp" if os.path.isdir("/work/.bench-tmp")
                            else None)
    etcd = Etcd(base)
    try:
        data = os.path.join(base, "data")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/fleet/gen.py"), str(n), data], check=True,
                       stdout=subprocess.DEVNULL)
        yield base, etcd, data
    finally:
        for p in started:
            end(p, signal.SIGKILL, 10)
        etcd.close()
        shutil.rmtree(base, ignore_errors=True)


def claim(n, window):
    with generated_fleet(n, "cluster") as (base, etcd, data):
        load = open("/proc/loadavg").read().split()[:3]
        t0 = time.monotonic()
        p = spawn([LF, "replicate", "-config", config(base, "a", data, etcd, "/bench/", base + "/replica")],
                  os.path.join(base, "a.log"))
        until(f"{n} keys", 900, lambda: p.poll() is None and int(etcd.range("/bench/db/", True).get("count", 0)) >= n,
              0.2)
        claimed = time.monotonic() - t0
        if p.poll() is not None:
            raise SystemExit("the instance exited: " + open(os.path.join(base, "a.log")).read()[-3000:])
        r0, w0 = etcd.requests(), time.monotonic()
        time.sleep(window)  # the measurement window (etcd counts the requests), not synchronisation
        r1, w1 = etcd.requests(), time.monotonic()
        by = {m: round((r1.get(m, 0) - r0.get(m, 0)) / (w1 - w0), 2) for m in r1 if r1.get(m, 0) != r0.get(m, 0)}
        print(json.dumps({"figure": "claim", "databases": n, "claimed_s": round(claimed, 2),
                          "etcd_requests_per_s": round(sum(by.values()), 2), "by_method": by, "window_s": window,
                          "ttl_s": TTL, "load_before": load, "load_after": open("/proc/loadavg").read().split()[:3]}),
              flush=True)
        end(p)


def takeover(tries):
    with generated_fleet(12, "takeover") as (base, etcd, data):
        cfg = {i: config(base, i, data, etcd, "/takeover/", base + "/replica") for i in ("a", "b")}
        logs = {i: os.path.join(base, i + ".log") for i in cfg}
        procs = {i: spawn([LF, "replicate", "-config", cfg[i]], logs[i]) for i in cfg}
        load = open("/proc/loadavg").read().split()[:3]
        times = []
        for t in range(tries):
            owners = until("12 owned by one instance", 60,
                           lambda: (o := etcd.owners("/takeover/db/")) and len(o) == 12 and len(set(o)) == 1 and o)
            victim = owners[0]
            survivor = "b" if victim == "a" else "a"
            # the survivor found all 12 held by the victim and waits for them (watching the keys)
            try:
                until(f"{survivor} waiting for the 12", 60,
                      lambda: open(logs[survivor]).read().count("not here; taken over when it lets go") >= 12, 0.1)
            except SystemExit:
                sys.stderr.write(open(logs[survivor]).read()[-4000:])
                raise
            t0 = time.monotonic()
            os.kill(procs[victim].pid, signal.SIGKILL)
            until(f"{survivor} owns all 12", 30,
                  lambda: (o := etcd.owners("/takeover/db/")) and len(o) == 12 and set(o) == {survivor})
            times.append(time.monotonic() - t0)
            procs[victim].wait(10)
            # a replacement host: a new state directory, so it checks every database (finds them held) at start
            logs[victim] = os.path.join(base, f"{victim}-{t}.log")
            cfg[victim] = config(base, victim, data, etcd, "/takeover/", base + "/replica", f"{victim}-{t}")
            procs[victim] = spawn([LF, "replicate", "-config", cfg[victim]], logs[victim])
        print(json.dumps({"figure": "takeover", "tries": tries, "databases": 12, "ttl_s": TTL,
                          "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2),
                          "min_s": round(min(times), 2), "all_s": [round(x, 2) for x in times], "load_before": load,
                          "load_after": open("/proc/loadavg").read().split()[:3]}), flush=True)


def captured(log):
    """Databases the log says its transient passes captured so far."""
    total = 0
    with open(log, errors="replace") as f:
        for line in f:
            if "transient passes:" in line and " captured" in line:
                total += int(line.split(" captured")[0].rsplit(", ", 1)[1])
    return total


def restart(n):
    with generated_fleet(n, "cluster") as (base, etcd, data):
        cfg = config(base, "a", data, etcd, "/bench/", base + "/replica")
        first_log = os.path.join(base, "a-first.log")
        p = spawn([LF, "replicate", "-config", cfg], first_log)
        until(f"first capture of {n}", 1200, lambda: p.poll() is None and captured(first_log) >= n, 0.5)
        end(p)
        until("the stopped instance's keys revoked", 60,
              lambda: int(etcd.range("/bench/db/", True).get("count", 0)) == 0, 0.1)
        load = open("/proc/loadavg").read().split()[:3]
        log = os.path.join(base, "a-again.log")
        t0 = time.monotonic()
        p = spawn([LF, "replicate", "-config", cfg], log)
        until(f"{n} keys again", 900, lambda: p.poll() is None
              and int(etcd.range("/bench/db/", True).get("count", 0)) >= n, 0.2)
        again = time.monotonic() - t0
        print(json.dumps({"figure": "restart", "databases": n, "claimed_again_s": round(again, 2),
                          "captured_on_restart": captured(log), "ttl_s": TTL, "load_before": load,
                          "load_after": open("/proc/loadavg").read().split()[:3]}), flush=True)
        end(p)


if __name__ == "__main__":
    try:
        if sys.argv[1] == "claim":
            claim(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 30)
        elif sys.argv[1] == "restart":
            restart(int(sys.argv[2]))
        else:
            takeover(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    except KeyboardInterrupt:
        pass
