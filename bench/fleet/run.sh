#!/usr/bin/env bash
# Fleet benchmark (issue 4): Litefleet fleet mode vs upstream litestream v0.5.16 directory mode, same run.
#
#   bench/fleet/run.sh               full run: N=100,000 (Litefleet only) + N=1,000/5,000 both tools, 10 min idle
#   QUICK=1 bench/fleet/run.sh       ~25 min: N=10,000 + N=300/1,000 both tools, 2 min idle
#
# Knobs (env): QUICK, BIG_N, SMALL_NS ("1000 5000"), IDLE_SECS, LAG_SECS, WARMUP_SECS, PROMO_SAMPLES,
#   SKIP_BIG=1, SKIP_SMALL=1, SKIP_SCANONLY=1, BIG_FIRST=1 (N=BIG_N phase before the comparison), NO_BUILD=1,
#   BASE (/tmp/lfbench), LS_BIN, JCMD, OUT (output path without extension), CAPTURE_TIMEOUT (s per tool and N,
#   default max(300, N/5)).
# Writes the Markdown table to stdout and bench/fleet/results-<date>[-quick].md, raw numbers next to it (.json).
# Everything lives under $BASE on local disk; processes are killed and the tree deleted on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
export BASE=${BASE:-/tmp/lfbench}
export LS_BIN=${LS_BIN:-$HOME/go/bin/litestream}
export LF_BIN=$ROOT/distribution/target/litefleet/bin/litefleet
if [ -z "${JCMD:-}" ]; then # a jcmd >= 21 (the image runs Java 21+); the default jcmd may be 17
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/*; do
    if [ -x "$j/bin/jcmd" ] && [ -f "$j/release" ] && \
       [ "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$j/release")" -ge 21 ] 2>/dev/null; then JCMD=$j/bin/jcmd; fi
  done
fi
export JCMD=${JCMD:?no jcmd from a JDK >= 21 found; set JCMD}

[ -x "$LS_BIN" ] || { echo "litestream not found at $LS_BIN" >&2; exit 2; }
if [ "${NO_BUILD:-0}" != 1 ]; then (cd "$ROOT" && ./mvnw -B -q -DskipTests package); fi

cleanup() {
  if [ -f "$BASE/pids" ]; then
    while read -r p; do kill -KILL -- "-$p" 2>/dev/null || true; done < "$BASE/pids"
  fi
  [ -n "${PY:-}" ] && kill -KILL "$PY" 2>/dev/null || true
  rm -rf "$BASE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$BASE"; mkdir -p "$BASE"

STAMP=$(date -u +%Y-%m-%d)
SUFFIX=$([ "${QUICK:-0}" = 1 ] && echo "-quick" || echo "")
OUT=${OUT:-$HERE/results-$STAMP$SUFFIX}
export OUT_JSON=$BASE/results.json
python3 "$HERE/fleetbench.py" & PY=$!
wait "$PY"
cp "$OUT_JSON" "$OUT.json"
python3 "$HERE/report.py" "$OUT.json" | tee "$OUT.md"
