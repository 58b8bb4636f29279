#!/usr/bin/env bash
# Idle CPU and local-state size after the first capture (issue 13, item 3): this tree's image against litestream
# v0.5.16, and any other build given as NAME=/path/to/bin/litefleet (for example the build before the change).
#
#   bench/idle/run.sh                                   N=10,000, 120 s idle, 3 rounds
#   bench/idle/run.sh --n 1000 --window 30 --rounds 1   a smoke run
#   bench/idle/run.sh before=/tmp/before/distribution/target/litefleet/bin/litefleet
#
# Builds the image first unless NO_BUILD=1. Writes bench/idle/results-<date>.md and .json (--out to change). Fleets live under
# /tmp/lfidle (--base) and are deleted after each run; every process started is killed on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
if [ "${NO_BUILD:-0}" != 1 ]; then (cd "$ROOT" && ./mvnw -B -q -DskipTests install); fi
LF=$ROOT/distribution/target/litefleet/bin/litefleet
[ -x "$LF" ] || { echo "no launcher at $LF: build first" >&2; exit 2; }
opts=() builds=()
for a in "$@"; do case $a in *=*/*) builds+=("$a") ;; *) opts+=("$a") ;; esac; done
exec python3 "$HERE/idle.py" --command "bench/idle/run.sh $*" "${opts[@]}" "${builds[@]}" "litefleet=$LF"
