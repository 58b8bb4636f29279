#!/usr/bin/env bash
# Start time of `litefleet version` and of a small restore from a file replica, against stock litestream v0.5.16
# in the same run (pairs, medians, ratios); with BEFORE, also against an older image. Uses the shipped launcher as
# it is (no JAVA_OPTS). Writes bench/start/results-<date>.md and .json (OUT: another path, without extension).
#   usage: bench/start/run.sh [RUNS] [BEFORE_IMAGE_DIR]      (RUNS pairs per case, default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-20}
LF=${LITEFLEET:-distribution/target/litefleet/bin/litefleet}
STOCK=${GOBIN:-$HOME/go/bin}/litestream
[ -x "$LF" ] || { echo "build the image first: ./mvnw -B -q -DskipTests install" >&2; exit 2; }
unset JAVA_OPTS JAVA_TOOL_OPTIONS
BEFORE=()
[ $# -ge 2 ] && BEFORE=(--before "$2/bin/litefleet")
uptime
python3 bench/start/startbench.py --litefleet "$LF" --litestream "$STOCK" "${BEFORE[@]}" --runs "$RUNS" \
  --command "bench/start/run.sh $*" --out "${OUT:-bench/start/results-$(date -u +%Y-%m-%d)}.md"
uptime
