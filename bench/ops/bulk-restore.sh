#!/usr/bin/env bash
# Bulk restore of many small databases: `litefleet restore --all` (the shipped launcher, no JAVA_OPTS) against a
# shell loop of stock `litestream restore` (v0.5.16) over the same file replicas, in the same run, repeated.
#
#   bench/ops/bulk-restore.sh [DATABASES=1000] [REPEATS=3]
#
# Needs the image (./mvnw -B package -DskipTests) and ~/go/bin/litestream (or LITEFLEET=..., LITESTREAM=...).
# The replicas are written once by `litefleet replicate` (fleet mode, file replica, one database per tenant);
# then each repeat restores all of them with both tools into fresh directories and checks that each produced
# DATABASES files. Prints wall times, databases per second, medians and the ratio; writes bulk-restore-<date>.md here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LF=${LITEFLEET:-$ROOT/distribution/target/litefleet/bin/litefleet}
LS=${LITESTREAM:-$HOME/go/bin/litestream}
N=${1:-1000}
REPEATS=${2:-3}
[ -x "$LF" ] || { echo "missing $LF: build the image first (./mvnw -B package -DskipTests)" >&2; exit 2; }
[ -x "$LS" ] || { echo "missing $LS (stock litestream v0.5.16)" >&2; exit 2; }
unset JAVA_OPTS
WORK=$(mktemp -d /tmp/bulk-restore-bench.XXXXXX)
DAEMON=
cleanup() {
  if [ -n "$DAEMON" ] && kill -0 "$DAEMON" 2>/dev/null; then kill -TERM "$DAEMON"; wait "$DAEMON" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "creating $N databases in $WORK/data"
python3 - "$WORK/data/tenants" "$N" <<'PY'
import os, sqlite3, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
for i in range(n):
    c = sqlite3.connect(os.path.join(d, "t%05d.db" % i))
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)")
    c.executemany("INSERT INTO t(v) VALUES (randomblob(200))", [()] * 20)
    c.commit()
    c.close()
PY
cat > "$WORK/litefleet.yml" <<YML
state-dir: $WORK/state
multi-db:
  patterns: ["$WORK/data/tenants/*.db"]
  max-hot-databases: 100
  scan-interval: 5s
  replica-template:
    type: file
    path: "$WORK/replica/{{tenant}}"
YML
echo "replicating with litefleet"
"$LF" replicate -config "$WORK/litefleet.yml" > "$WORK/replicate.log" 2>&1 &
DAEMON=$!
deadline=$((SECONDS + 600))
until [ "$(find "$WORK/replica" -mindepth 2 -maxdepth 2 -name ltx 2>/dev/null | wc -l)" -ge "$N" ]; do
  [ $SECONDS -lt $deadline ] || { echo "replication did not finish in 10 min" >&2; tail "$WORK/replicate.log" >&2; exit 1; }
  kill -0 "$DAEMON" || { echo "replicate exited" >&2; tail "$WORK/replicate.log" >&2; exit 1; }
  sleep 1 # a wait for an external process to make progress, polled with a deadline
done
kill -TERM "$DAEMON"; wait "$DAEMON"; DAEMON=
echo "replicated $N databases"

now() { date +%s.%N; }
count() { find "$1" -name '*.db' -type f | wc -l; }
RESULTS=()
for r in $(seq 1 "$REPEATS"); do
  rm -rf "$WORK/out-lf" "$WORK/out-ls"
  t0=$(now)
  "$LF" restore -config "$WORK/litefleet.yml" -o "$WORK/out-lf" --all > "$WORK/lf-$r.log" 2>&1
  t1=$(now)
  mkdir -p "$WORK/out-ls"
  for rep in "$WORK"/replica/*; do
    "$LS" restore -o "$WORK/out-ls/$(basename "$rep").db" "file://$rep" > /dev/null 2>&1
  done
  t2=$(now)
  [ "$(count "$WORK/out-lf")" -eq "$N" ] || { echo "litefleet restored $(count "$WORK/out-lf") of $N" >&2; exit 1; }
  [ "$(count "$WORK/out-ls")" -eq "$N" ] || { echo "litestream restored $(count "$WORK/out-ls") of $N" >&2; exit 1; }
  lf=$(python3 -c "print(round($t1 - $t0, 3))"); ls=$(python3 -c "print(round($t2 - $t1, 3))")
  echo "run $r: litefleet restore --all ${lf}s, litestream loop ${ls}s"
  RESULTS+=("$lf $ls")
done

python3 - "$N" "$(nproc)" "${RESULTS[@]}" <<'PY' | tee "$(dirname "$0")/bulk-restore-$(date -u +%Y-%m-%d).md"
import statistics, sys, subprocess
n, cores = int(sys.argv[1]), sys.argv[2]
runs = [tuple(map(float, r.split())) for r in sys.argv[3:]]
lf = statistics.median(r[0] for r in runs); ls = statistics.median(r[1] for r in runs)
print(f"# Bulk restore of {n} small databases (file replica), {len(runs)} runs, {cores} cores\n")
print("| run | litefleet restore --all (s) | db/s | litestream v0.5.16 loop (s) | db/s |")
print("|---|---|---|---|---|")
for i, (a, b) in enumerate(runs, 1):
    print(f"| {i} | {a:.2f} | {n/a:.0f} | {b:.2f} | {n/b:.0f} |")
print(f"| median | {lf:.2f} | {n/lf:.0f} | {ls:.2f} | {n/ls:.0f} |\n")
print(f"litefleet is {ls/lf:.1f}x the loop's speed. Litefleet also runs PRAGMA integrity_check on every database, "
      "hashes it and journals it (resumable); the loop runs stock restore with its default (no integrity check).")
PY
