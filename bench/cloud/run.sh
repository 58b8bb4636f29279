#!/usr/bin/env bash
# Cloud benchmark (issue 10): Litefleet vs upstream litestream v0.5.16 on an S3 server (versitygw) on loopback,
# both tools in the same run, one after the other. See README.md here for the method.
#
#   bench/cloud/run.sh              full: ~75 min (lag 30+120 s, settle 150 s, idle 300 s, active 120 s per tool;
#                                   1 GB upload + restore x3 per tool)
#   QUICK=1 bench/cloud/run.sh      ~45 min: lag 20+60 s, settle 90 s, idle 120 s, active 60 s; same N and 1 GB
#   SKIP=throughput bench/cloud/run.sh   only the fleet phases (lag, requests)
#
# Knobs (env): N (1000 databases), DELAY_MS (50, added by the proxy to every request), WARMUP_SECS, LAG_SECS,
#   GRACE_SECS (max wait for the last commits after the writer stops), LAG_REPS (1; >1 alternates the tool order and
#   reports medians), SETTLE_SECS, HOT_IDLE (Litefleet's hot-idle-timeout, 1m), IDLE_SECS, ACTIVE_N (20),
#   ACTIVE_SECS, ACTIVE_WARMUP, TP_MB (1024), TP_REPS (3), CHECK_DBS (5 restores checked per tool), WRITER_THREADS,
#   CAPTURE_TIMEOUT, TOOLS ("litefleet litestream"), SKIP (lag,requests,throughput), NO_BUILD=1,
#   MAVEN_REPO (-Dmaven.repo.local for the build), BASE (/tmp/lfcloud), KEEP=1 (keep BASE with every log and the
#   proxy's request log), OUT (output path without extension), LS_BIN, VERSITYGW.
# Writes the Markdown report to stdout and bench/cloud/results-<date>[-quick][-SUFFIX].md, raw numbers next to it
# (.json). Processes it started are killed (by pid, each in its own session) and BASE is removed on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
export BASE=${BASE:-/tmp/lfcloud}
export LS_BIN=${LS_BIN:-$HOME/go/bin/litestream}
export VERSITYGW=${VERSITYGW:-$HOME/go/bin/versitygw}
export LF_BIN=$ROOT/distribution/target/litefleet/bin/litefleet
for t in "$LS_BIN" "$VERSITYGW" sqlite3 python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }
done
"$LS_BIN" version | grep -q 'v0.5.16' || echo "warning: $LS_BIN is not v0.5.16" >&2
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} package)
fi
[ -x "$LF_BIN" ] || { echo "no Litefleet image at $LF_BIN (build it, or drop NO_BUILD)" >&2; exit 2; }

. "$HERE/harness.sh"

STAMP=$(date -u +%Y-%m-%d)
SUFFIX=$([ "${QUICK:-0}" = 1 ] && echo "-quick" || echo "")
OUT=${OUT:-$HERE/results-$STAMP$SUFFIX}
export OUT_JSON=$BASE/results.json
export GIT_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
export BENCH_COMMAND="$(env | grep -E '^(QUICK|N|DELAY_MS|WARMUP_SECS|LAG_SECS|GRACE_SECS|LAG_REPS|SETTLE_SECS|HOT_IDLE|IDLE_SECS|ACTIVE_N|ACTIVE_SECS|ACTIVE_WARMUP|TP_MB|TP_REPS|CHECK_DBS|TOOLS|SKIP)=' | sort | tr '\n' ' ')bench/cloud/run.sh"
python3 "$HERE/cloudbench.py" & PY=$!
wait "$PY"
cp "$OUT_JSON" "$OUT.json"
python3 "$HERE/report.py" "$OUT.json" | tee "$OUT.md"
