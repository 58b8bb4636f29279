#!/usr/bin/env bash
# Scrape cost at fleet scale (issue 12): series count at 100 / 1,000 / 100,000 databases and the time of a
# /metrics scrape at 100,000 (median and p99 of 20), from the shipped launcher (bin/litefleet, its default JVM
# options: no JAVA_OPTS) in fleet mode with file replicas, every database discovered and captured, a few hot.
#
#   bench/ops/scrape.sh                 N = 100, 1000, 100000
#   NS="100 1000" bench/ops/scrape.sh   other sizes
#
# Knobs (env): NS, SCRAPES (20), HOT (5), BASE (/tmp/lfscrape), NO_BUILD=1, CAPTURE_TIMEOUT (s per N, default
# max(300, N/50)). Writes bench/ops/scrape-<date>.md and .json. Everything lives under $BASE on local disk; the
# process is killed and the tree deleted on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
export BASE=${BASE:-/tmp/lfscrape}
export LF_BIN=$ROOT/distribution/target/litefleet/bin/litefleet
if [ "${NO_BUILD:-0}" != 1 ]; then (cd "$ROOT" && ./mvnw -B -q -DskipTests package); fi
[ -x "$LF_BIN" ] || { echo "no launcher at $LF_BIN: build first" >&2; exit 2; }

cleanup() {
  [ -n "${PY:-}" ] && kill -TERM "$PY" 2>/dev/null && wait "$PY" 2>/dev/null || true
  rm -rf "$BASE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$BASE"; mkdir -p "$BASE"
OUT=${OUT:-$HERE/scrape-$(date -u +%Y-%m-%d)}
export OUT
python3 "$HERE/scrape.py" & PY=$!
wait "$PY"
PY=
