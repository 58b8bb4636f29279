#!/usr/bin/env bash
# Litefleet vs litestream v0.5.16 on one database (issue 3). Usage:
#   bench/single-db/run.sh            # full: ~40 min (lag 3x60 s, steps 3x140 s, 1 GiB restore matrix x3)
#   QUICK=1 bench/single-db/run.sh    # quick: ~6 min (lag 3x15 s, steps 1x42 s, 256 MB restore matrix x3)
# Knobs (env): LAG_RATE LAG_SECS LAG_REPS STEP_RATES STEP_SECS STEP_REPS LAG_LIMIT GROWTH_LIMIT GRACE
#              RESTORE_MB RESTORE_REPS SKIP=lag,steps,restore KEEP=1 (keep the /tmp work dir)
#              RESULTS_SUFFIX (appended to the results file name)
#              LITESTREAM (default ~/go/bin/litestream)  LITEFLEET (default: the built image)
# Writes the Markdown table to stdout and to bench/single-db/results-<date>[-quick].md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
export LITEFLEET=${LITEFLEET:-$repo/distribution/target/litefleet/bin/litefleet}
export LITESTREAM=${LITESTREAM:-$HOME/go/bin/litestream}
if [[ ! -x $LITEFLEET ]]; then
  echo "building Litefleet (./mvnw -B -q -DskipTests package)" >&2
  (cd "$repo" && ./mvnw -B -q -DskipTests package)
fi
for t in "$LITESTREAM" sqlite3 python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }
done
"$LITESTREAM" version | grep -q 'v0.5.16' || echo "warning: $LITESTREAM is not v0.5.16" >&2
export GIT_COMMIT=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
export BENCH_COMMAND="${QUICK:+QUICK=$QUICK }bench/single-db/run.sh"
python3 "$here/bench.py" &
pid=$!
# The harness kills its own children on exit; this trap covers Ctrl-C / SIGTERM of the script itself.
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' INT TERM
wait $pid
