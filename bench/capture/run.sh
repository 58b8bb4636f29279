#!/usr/bin/env bash
# First capture of a fleet (issue 13, item 4): Litefleet (shipped launcher, no JAVA_OPTS, fleet mode) against
# litestream v0.5.16 (directory mode, watch) and two floors on the same bytes, in one run. See README.md.
#
#   bench/capture/run.sh                  N = 1000 3000, 3 repeats
#   bench/capture/run.sh 300              smoke run
#   bench/capture/run.sh 1000 3000 100000 litestream runs only where N <= LS_MAX (10000)
#
# Knobs (env): REPEATS (3), REPEATS_AT ("100000=1": repeats for some N only), LS_MAX (10000), BASE (/tmp/lfcapture, deleted at the end), LS_BIN, NO_BUILD=1, OUT (path
# without extension; default bench/capture/results-<date>), CAPTURE_TIMEOUT (s per system and N; default
# max(300, N/20)), POLL (0.5 s between checks). Prints the table of medians and ratios and writes OUT.md and OUT.json.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
export BASE=${BASE:-/tmp/lfcapture} LS_BIN=${LS_BIN:-$HOME/go/bin/litestream}
CMD=  # the command that reproduces this run, with the knobs it set (written into the results)
for v in REPEATS REPEATS_AT LS_MAX CAPTURE_TIMEOUT; do [ -n "${!v+x}" ] && CMD+="$v=$(printf %q "${!v}") "; done
export LF_BIN=$ROOT/distribution/target/litefleet/bin/litefleet NS=${*:-1000 3000} CMD="${CMD}bench/capture/run.sh $*"
export OUT=${OUT:-$HERE/results-$(date -u +%Y-%m-%d)}
[ -x "$LS_BIN" ] || { echo "litestream not found at $LS_BIN" >&2; exit 2; }
if [ "${NO_BUILD:-0}" != 1 ]; then (cd "$ROOT" && ./mvnw -B -q -DskipTests package); fi
[ -x "$LF_BIN" ] || { echo "no launcher at $LF_BIN: build first" >&2; exit 2; }
exec python3 "$HERE/capture.py"
