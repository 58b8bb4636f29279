#!/usr/bin/env bash
# Memory benchmark (issue 13, item 1): VmRSS of Litefleet (the shipped launcher, JAVA_OPTS unset) and upstream
# litestream v0.5.16 in the same run: one database at 20 tx/s (plus a lag check), then 300, 1,000 and 3,000 idle
# databases after the first capture. Medians of R repeats and ratios Litefleet / litestream.
#
#   bench/memory/run.sh                         full run (R=3; about 3 x (1.5 + 3 x 1.5) min)
#   R=1 SINGLE_SECS=20 FLEET=30 SETTLE_SECS=10 bench/memory/run.sh     smoke run, about 1 min
#   python3 bench/memory/jitbench.py --litefleet distribution/target/litefleet/bin/litefleet --out /tmp/jit
#                                               C1 only vs tiered C2: CPU of a 200 MB snapshot and a 1,000-db capture
#
# Knobs (env): R, SINGLE_SECS (60), FLEET ("300,1000,3000"), SETTLE_SECS (30), LS_BIN, NO_BUILD=1,
#   EXTRA ("before=/path/bin/litefleet": another image in the same run, e.g. the previous release),
#   OUT (output path without extension; default bench/memory/results-<date>).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
LS_BIN=${LS_BIN:-$HOME/go/bin/litestream}
LF_BIN=$ROOT/distribution/target/litefleet/bin/litefleet
[ -x "$LS_BIN" ] || { echo "litestream not found at $LS_BIN (set LS_BIN)" >&2; exit 2; }
if [ "${NO_BUILD:-0}" != 1 ]; then (cd "$ROOT" && ./mvnw -B -q -DskipTests install); fi
[ -x "$LF_BIN" ] || { echo "$LF_BIN missing: build the image (./mvnw -B install -DskipTests)" >&2; exit 2; }
extra=()
if [ -n "${EXTRA:-}" ]; then extra=(--extra "$EXTRA"); fi
cmd=  # the command that reproduces this run, with the knobs it set (written into the results JSON)
for v in R SINGLE_SECS FLEET SETTLE_SECS EXTRA; do [ -n "${!v+x}" ] && cmd+="$v=$(printf %q "${!v}") "; done
exec python3 "$HERE/membench.py" --litestream "$LS_BIN" --litefleet "$LF_BIN" "${extra[@]}" --command "${cmd}bench/memory/run.sh" \
  --repeats "${R:-3}" --single-secs "${SINGLE_SECS:-60}" --fleet "${FLEET-300,1000,3000}" \
  --settle-secs "${SETTLE_SECS:-30}" --out "${OUT:-$HERE/results-$(date -u +%Y-%m-%d)}"
