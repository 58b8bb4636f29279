#!/usr/bin/env python3
"""Turns the JMH JSON files run.sh wrote (one per runtime, compiler and class: <jvm>-<c1|c2>-<Class>.json) into one results
JSON and a Markdown report: per benchmark, the median of the measured iterations in every configuration, the
throughput in MiB/s (byte benchmarks) or ns per path (matching), and the time ratio to each floor; then the
C1/C2 table. A benchmark's floors are the methods of the same class named <benchmark>Floor<What>. The JSON also holds
the headline bench/cost/report.py shows in docs/benchmarks.md (one row per loop);
`report.py --rewrite-headline FILE.json RUN_UTC` adds it offline to a results file written before it existed."""
import argparse
import glob
import json
import os
import platform
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import contract  # noqa: E402  (bench/cost/report.py's sibling-section keys)

BYTE_CLASSES = {"WalBench", "LtxBench"}  # one operation = `mib` MiB


def load(dirname):
    """{(jvm, compiler): JMH entries} from run.sh's <jvm>-<c1|c2>-<Class>.json files."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(dirname, "*-c[12]-*.json"))):
        m = re.fullmatch(r"(\w+)-(c[12])-(\w+)\.json", os.path.basename(path))
        if m:
            with open(path) as f:
                runs.setdefault((m.group(1), m.group(2)), []).extend(json.load(f))
    return runs


def key_of(entry):
    cls, method = entry["benchmark"].rsplit(".", 2)[-2:]
    params = ",".join(f"{k}={v}" for k, v in sorted((entry.get("params") or {}).items()))
    return cls, method, params


def summarise(entry):
    raw = [x for fork in entry["primaryMetric"]["rawData"] for x in fork]
    return {"median": statistics.median(raw), "min": min(raw), "max": max(raw), "n": len(raw),
            "unit": entry["primaryMetric"]["scoreUnit"]}


def rate(cls, params, ops):
    """The human unit of a throughput in operations per second."""
    if cls in BYTE_CLASSES:
        mib = int(dict(p.split("=") for p in params.split(",") if p)["mib"])
        return f"{ops * mib:,.0f} MiB/s"
    return f"{1e9 / ops:,.1f} ns/path"


def load_peer(dirname):
    """{(benchmark "Class.method", params): {"median_ns": ns per op, "bytes": per op, "note": ...}}"""
    peer = {}
    for path in sorted(glob.glob(os.path.join(dirname, "peer-mib=*.json"))):
        mib = os.path.basename(path)[len("peer-"):-len(".json")]
        with open(path) as f:
            for name, r in json.load(f).items():
                params = mib if r["bytes_per_op"] else ""
                peer[(name, params)] = {"median_ns": statistics.median(r["ns_per_op"]), "runs": r["ns_per_op"],
                                        "bytes": r["bytes_per_op"], "note": r["note"]}
    return peer


def parse_floor(method):
    m = re.match(r"(.+?)Floor(.+)$", method)
    return (m.group(1), m.group(2)) if m else (method, None)


def headline(rows):
    """Per loop, on the image's runtime under C2 when it ran (what users run), else the JDK's: Litefleet's
    throughput, its fastest floor's, the peer's, the time ratios, and C1 time / C2 time."""
    mains = [r for r in rows if r.get("benchmark") == r["method"] and "median" in r and r.get("compiler") == "c2"]
    jvm = "image" if any(r["jvm"] == "image" for r in mains) else "jdk"
    out = []
    for m in sorted((r for r in mains if r["jvm"] == jvm), key=lambda r: (r["class"], r["method"], r["params"])):
        same = lambda r: (r["class"], r["params"], r["jvm"]) == (m["class"], m["params"], jvm)  # noqa: E731
        floors = [r for r in rows if same(r) and r.get("benchmark") == m["method"] and r.get("compiler") == "c2"
                  and r["method"] != m["method"] and "median" in r]
        fl = max(floors, key=lambda r: r["median"], default=None)
        peer = next((r for r in rows if same(r) and r["method"] == m["method"] and r.get("compiler") == "c2"
                     and "litefleet_time_over_peer_time" in r), None)
        c1 = next((r for r in rows if same(r) and r["method"] == m["method"] and "c1_time_over_c2_time" in r), None)
        out.append({"loop": f"{m['class']}.{m['method']}" + (f" ({m['params']})" if m["params"] else ""),
                    "litefleet": rate(m["class"], m["params"], m["median"]),
                    "floor": f"{rate(m['class'], m['params'], fl['median'])} ({parse_floor(fl['method'])[1]})"
                    if fl else None,
                    "ratio_to_floor": round(fl["median"] / m["median"], 2) if fl else None,
                    "peer": rate(m["class"], m["params"], 1e9 / peer["peer_median_ns_per_op"]) if peer else None,
                    "ratio_to_peer": round(peer["litefleet_time_over_peer_time"], 2) if peer else None,
                    "c1_over_c2": round(c1["c1_time_over_c2_time"], 2) if c1 else None})
    return out


def contract_fields(meta, rows, generated_utc=None):
    jvm = "image" if any(r.get("jvm") == "image" for r in rows) else "jdk"
    load = lambda up: up.split("load average:")[-1].strip() if up else None  # noqa: E731 (from uptime's line)
    return contract.fields(
        "Hot-path micro-benchmarks (JMH)", meta["command"], headline(rows), load(meta.get("load_before")),
        load(meta.get("load_after")),
        [f"Runtime {jvm}, C2, median of the measured iterations. ratio_to_floor = Litefleet time / its fastest "
         "floor's time on the same bytes; ratio_to_peer = Litefleet time / the peer's (Go: Litestream v0.5.16, "
         "ltx v0.5.2) on the same bytes; c1_over_c2 = C1-only time / C2 time. Lower is better; above 1: Litefleet "
         f"takes longer. Commit {meta.get('commit')}. Method: bench/jmh/README.md."],
        generated_utc=generated_utc, machine_line=meta.get("machine"))


def main():
    if sys.argv[1:2] == ["--rewrite-headline"]:  # FILE.json RUN_UTC
        return contract.rewrite(sys.argv[2], lambda d: contract_fields(d["meta"], d["rows"], sys.argv[3]))
    ap = argparse.ArgumentParser()
    for a in ("--dir", "--json", "--md", "--command", "--commit", "--fork-args"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    runs = load(args.dir)
    if not runs:
        raise SystemExit(f"no JMH results in {args.dir}: every run failed or was skipped")
    configs = sorted(runs, key=lambda jc: (jc[0] != "jdk", jc[1] != "c2", jc))
    # results[(cls, bench, params)][(jvm, comp)][method] = summary
    results = {}
    for jc in configs:
        for entry in runs[jc]:
            cls, method, params = key_of(entry)
            bench, _ = parse_floor(method)
            results.setdefault((cls, bench, params), {}).setdefault(jc, {})[method] = summarise(entry)

    def read(name):
        p = os.path.join(args.dir, name)
        return open(p).read().strip() if os.path.exists(p) else None

    versions = {jvm: read(f"version-{jvm}.txt") for jvm in {j for j, _ in configs}}
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    meta = {"command": args.command, "commit": args.commit, "machine": f"{platform.node()}, {os.cpu_count()} cores, "
            f"{cpu}", "load_before": read("load-before.txt"), "load_after": read("load-after.txt"),
            "fork_args": args.fork_args, "versions": versions, "skipped": read("skipped-image.txt")}

    md = ["# JMH hot-path benchmarks", "",
          f"Command: `{args.command}` at commit `{args.commit}`. Machine: {meta['machine']}.",
          f"Load (uptime) before: `{meta['load_before']}`; after: `{meta['load_after']}`.",
          f"Fork JVM options: `{args.fork_args}` (+ `-XX:TieredStopAtLevel=1` for c1).", ""]
    for jvm, v in versions.items():
        first = (v or "?").splitlines()
        md.append(f"- {jvm}: {first[0] if first else '?'} ({first[1] if len(first) > 1 else ''})")
    if meta["skipped"]:
        md.append(f"- image: {meta['skipped']}")
    md += ["", "Scores are medians of the measured iterations (all forks), operations per second; the range is "
           "the slowest and fastest iteration. **time x floor** = the floor's throughput / the benchmark's: how "
           "many times longer the production code takes than the floor on the same bytes (lower is better; a "
           "regression shows as a larger number).", ""]
    rows_json = []
    c1c2 = []
    for (cls, bench, params), by_config in sorted(results.items()):
        md += [f"## {cls}.{bench} ({params or 'no parameters'})", "",
               "| config | method | median ops/s | range | throughput | time x floor |", "|---|---|---:|---:|---:|---:|"]
        for jc in configs:
            methods = by_config.get(jc, {})
            main_s = methods.get(bench)
            for method in sorted(methods, key=lambda m: (m != bench, m)):
                s = methods[method]
                _, what = parse_floor(method)
                ratio = ""
                if what is not None and main_s:
                    ratio = f"{s['median'] / main_s['median']:.2f} ({what})"
                elif what is None:
                    ratio = "(production code)"
                md.append(f"| {jc[0]}/{jc[1]} | {method} | {s['median']:,.1f} | {s['min']:,.1f}-{s['max']:,.1f} "
                          f"| {rate(cls, params, s['median'])} | {ratio} |")
                rows_json.append({"class": cls, "benchmark": bench, "method": method, "params": params,
                                  "jvm": jc[0], "compiler": jc[1], **s,
                                  "time_x_floor": (s["median"] / main_s["median"]) if what and main_s else None})
            for method in methods:
                c2 = by_config.get((jc[0], "c2"), {}).get(method)
                if jc[1] == "c1" and c2:
                    c1c2.append((cls, method, params, jc[0], c2["median"], methods[method]["median"]))
        md.append("")
    if c1c2:
        md += ["## C1 only against default tiered (C2)", "",
               "**C1 time / C2 time** = C2 throughput / C1 throughput: how many times longer the same loop takes "
               "with `-XX:TieredStopAtLevel=1` (above 1: C1 is slower).", "",
               "| benchmark | params | runtime | C2 ops/s | C1 ops/s | C1 time / C2 time |", "|---|---|---|---:|---:|---:|"]
        for cls, method, params, jvm, c2, c1 in sorted(c1c2):
            md.append(f"| {cls}.{method} | {params} | {jvm} | {c2:,.1f} | {c1:,.1f} | {c2 / c1:.2f} |")
            rows_json.append({"class": cls, "method": method, "params": params, "jvm": jvm,
                              "c1_time_over_c2_time": c2 / c1})
        md.append("")
    peer = load_peer(args.dir)
    if peer:
        md += ["## Against the peer (Go, same input)", "",
               "The peer's code for the same loop over the same bytes (`peer/main.go`: Litestream v0.5.16's "
               "`WALReader` and `WALChecksum`, ltx v0.5.2's encoder, Go's `hash/crc64`, `filepath.Match`), "
               "median of 5 runs of about 1 s. **Litefleet time / peer time** below 1: Litefleet is faster.", "",
               "| benchmark | params | peer | peer throughput | " + " | ".join(f"{j}/{c}" for j, c in configs)
               + " |", "|---|---|---|---:|" + "---:|" * len(configs)]
        for (name, params), p in sorted(peer.items()):
            cls, bench = name.split(".")
            ours = results.get((cls, bench, params), {})
            ops = 1e9 / p["median_ns"]
            cells = []
            for jc in configs:
                s_ = ours.get(jc, {}).get(bench)
                cells.append(f"{rate(cls, params, s_['median'])} (x{ops / s_['median']:.2f})" if s_ else "-")
                if s_:
                    rows_json.append({"class": cls, "method": bench, "params": params, "jvm": jc[0],
                                      "compiler": jc[1], "peer_median_ns_per_op": p["median_ns"],
                                      "litefleet_time_over_peer_time": ops / s_["median"]})
            md.append(f"| {name} | {params} | {p['note']} | {rate(cls, params, ops)} | " + " | ".join(cells) + " |")
        md += ["", "Each Litefleet cell: its throughput and (x Litefleet time / peer time).", ""]
    text = "\n".join(md)
    with open(args.md, "w") as f:
        f.write(text)
    with open(args.json, "w") as f:
        json.dump({**contract_fields(meta, rows_json), "meta": meta, "rows": rows_json, "peer": {f"{k[0]} {k[1]}": v for k, v in peer.items()}, "jmh": {f"{j}-{c}": runs[(j, c)] for j, c in configs}}, f,
                  indent=1)
    print(text)
    print(f"\nwritten: {args.md} and {args.json}")


if __name__ == "__main__":
    main()
