#!/usr/bin/env bash
# Cost benchmark (issue 13): Litefleet, upstream litestream v0.5.16 (directory mode) and the design's "ultra-simple"
# baseline on one S3 server (versitygw) through bench/cloud's counting proxy, one after the other, for each N.
# Then writes docs/benchmarks.md (and its PNG charts) from this run. See README.md here for the method.
#
#   bench/cost/run.sh            full: N = 1,000 10,000 100,000, 10-minute windows (hours; litestream up to 10,000)
#   QUICK=1 bench/cost/run.sh    smoke: N = 300, 45 s window (about 6 minutes on 2 cores)
#
# Knobs (env): NS ("1000 10000 100000"), SYSTEMS ("litefleet litestream baseline"), LS_MAX_N (10000), ACTIVE_PCT (1),
#   MIN_ACTIVE (3), DRIFT_SECS (60), DRIFT_FRAC (0.2), WARMUP_SECS (60), WINDOW_SECS (600), GRACE_SECS (120),
#   REPS (1; >1 alternates the order and the report takes medians), SEED (13), DELAY_MS (50, added by the proxy),
#   BL_INTERVAL (30, the baseline's scan interval), BL_UPLOADERS (16), RESTORE_SAMPLE (10), CAPTURE_TIMEOUT (7200),
#   STALL_SECS (300: a first capture without progress this long fails),
#   RSS_CAP_MB (8192: a system above it is killed and recorded as failed), WRITER_THREADS (4), NO_BUILD=1,
#   MAVEN_REPO (-Dmaven.repo.local), BASE (/tmp/lfcost), KEEP=1 (keep BASE), OUT (results path without extension),
#   NO_REPORT=1 (skip docs/benchmarks.md), VENV (the report's virtualenv, created from requirements.txt if missing),
#   LS_BIN, VERSITYGW.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
export BASE=${BASE:-/tmp/lfcost}
export LS_BIN=${LS_BIN:-$HOME/go/bin/litestream}
export VERSITYGW=${VERSITYGW:-$HOME/go/bin/versitygw}
export LF_BIN=$ROOT/distribution/target/litefleet/bin/litefleet
VENV=${VENV:-$HOME/.cache/litefleet/bench-venv}
for t in "$LS_BIN" "$VERSITYGW" sqlite3 python3 dd; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }
done
"$LS_BIN" version | grep -q 'v0.5.16' || echo "warning: $LS_BIN is not v0.5.16" >&2
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} package)
fi
[ -x "$LF_BIN" ] || { echo "no Litefleet image at $LF_BIN (build it, or drop NO_BUILD)" >&2; exit 2; }
if [ "${NO_REPORT:-0}" != 1 ] && ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi

. "$HERE/../cloud/harness.sh"

STAMP=$(date -u +%Y-%m-%d)
OUT=${OUT:-$HERE/results-$STAMP$([ "${QUICK:-0}" = 1 ] && echo "-quick" || true)}
export OUT_JSON=$BASE/results.json
export GIT_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
CMD=
for v in QUICK NS SYSTEMS LS_MAX_N ACTIVE_PCT MIN_ACTIVE DRIFT_SECS DRIFT_FRAC WARMUP_SECS WINDOW_SECS GRACE_SECS REPS SEED \
         DELAY_MS BL_INTERVAL BL_UPLOADERS RESTORE_SAMPLE CAPTURE_TIMEOUT STALL_SECS RSS_CAP_MB WRITER_THREADS; do
  if [ -n "${!v+x}" ]; then case "${!v}" in *" "*) CMD+="$v='${!v}' " ;; *) CMD+="$v=${!v} " ;; esac; fi
done
export BENCH_COMMAND="${CMD}bench/cost/run.sh"
python3 "$HERE/costbench.py" & PY=$!
wait "$PY"
cp "$OUT_JSON" "$OUT.json"
echo "raw results: $OUT.json" >&2
if [ "${NO_REPORT:-0}" != 1 ]; then
  "$VENV/bin/python" "$HERE/report.py" --cost "$OUT.json" --out "$ROOT/docs/benchmarks.md"
fi
