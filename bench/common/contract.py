"""The sibling-section contract of bench/cost/report.py (bench/cost/README.md, "Sibling sections"), shared by the
benches that feed docs/benchmarks.md: title, command, generated_utc, headline (flat rows) and notes, added to a
bench's own results JSON beside its existing fields. Standard library only; a bench imports it by path:

    sys.path.insert(0, os.path.join(HERE, "..", "common")); import contract
"""
import datetime, json, os, platform, subprocess


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def loadavg():
    """The 1, 5 and 15 minute load averages, as one string."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine():
    """Host, cores, CPU model, RAM and kernel, in one line."""
    cpu, ram = "?", "?"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        ram = f"{int(next(l.split()[1] for l in open('/proc/meminfo') if l.startswith('MemTotal'))) / 2**20:.1f} GB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.node()}, {os.cpu_count()} cores ({cpu}), {ram} RAM, kernel {platform.release()}"


def ratio(a, b):
    """a / b rounded to 2 decimals, None when either is missing or b is 0."""
    return round(a / b, 2) if a is not None and b else None


def fields(title, command, headline, load_start=None, load_end=None, notes=(), generated_utc=None, machine_line=None):
    """The contract's keys: notes start with the load averages and the machine (this one unless given)."""
    first = []
    if load_start or load_end:
        first.append(f"Load average at the start {load_start or 'not recorded'}, at the end {load_end or 'not recorded'}.")
    first.append(f"Machine: {machine_line or machine()}.")
    return {"title": title, "command": command, "generated_utc": generated_utc or now_utc(), "headline": headline,
            "notes": first + list(notes)}


def committed_utc(path):
    """When git last committed path (ISO, UTC), for a results file that did not record its own time."""
    out = subprocess.run(["git", "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", "--", path],
                         capture_output=True, text=True, cwd=os.path.dirname(os.path.abspath(path)),
                         env={**os.environ, "TZ": "UTC"})
    return out.stdout.strip() or None


def rewrite(path, build):
    """Offline: adds the contract's keys to an existing results file from its own figures. build(data) returns the
    keys; only keys the file does not have yet (or contract keys) are written, every other field is kept as it is."""
    with open(path) as f:
        data = json.load(f)
    keys = build(data)
    clash = [k for k in keys if k in data and k not in ("title", "command", "generated_utc", "headline", "notes")]
    if clash:
        raise SystemExit(f"{path}: would overwrite {clash}")
    data.update(keys)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)  # as the benches write it, so the diff is the added keys
    print(f"{path}: headline of {len(keys.get('headline') or [])} row(s) written")
    return data
