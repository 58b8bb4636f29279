#!/usr/bin/env bash
# Every issue-13 benchmark in sequence, then docs/benchmarks.md from their results (bench/cost/report.py: the cost
# tables and charts plus one section per sibling bench, from the JSON each one writes). Run it on a quiet machine:
# the benches share the cores with nothing else, and each records its load average.
#
#   bench/report.sh                 shortened run, about 90 minutes on 2 cores (what it shortens: below)
#   FULL=1 bench/report.sh          the complete figures, about 7 hours on 2 cores
#   SKIP=cost,jmh bench/report.sh   leave stages out (start, memory, capture, idle, jmh, cost); the report then uses
#                                   the newest results those benches left earlier
#   NO_BUILD=1                      use the image already built (default: ./mvnw -B -q -DskipTests install once)
#
# Stages, in order, with rough durations on 2 quiet cores (from each bench's README/run.sh and the runs so far):
#   stage    shortened (default)                                   ~min   FULL=1                               ~min
#   start    20 pairs, version and a 400 KB restore                   2   the same                                2
#   memory   1 repeat: 1 db at 20 tx/s, 300/1,000/3,000 idle dbs      8   3 repeats                              20
#   capture  1,000 and 3,000 x 3 repeats (with litestream), 100,000  25   100,000 x 3 repeats too                55
#            once (Litefleet and the two floors; gen + copies ~10)
#   idle     N=10,000, 1 round, 120 s window, litestream given       15   3 rounds, capture deadline N/10 s      75
#            600 s for its first capture (it did not finish in 5 min)
#   jmh      quick: 1 fork, 3+5 x 1 s, 4 MiB, jdk and image, peer   15   the same (FULL_JMH=1: ~1 h)            15
#   cost     N=1,000 and 10,000; 30 s warm-up, 120 s window, 60 s   30   N=1,000/10,000/100,000, 60 s warm-up, 270
#            grace, 4 restores; litestream at 1,000 only, capture        600 s windows, litestream to 10,000
#            deadline 1,200 s
#   report   docs/benchmarks.md and its charts                        1                                           1
# So the shortened run gives single-repeat memory and idle figures, no 100,000 capture median, short cost windows
# (requests/day extrapolated from 2 minutes) and no cost row at 100,000; docs/benchmarks.md says so under its title.
#
# Knobs (env) beside FULL, SKIP, NO_BUILD: STAMP (results-<STAMP>-report[-full].*; default today's date), LOGS
# (/tmp/lfreport: one log per stage), COST_NS, FULL_JMH=1, and every bench's own knobs (LS_BIN, VENV, MAVEN_REPO...).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/.." && pwd -P)
FULL=${FULL:-0}
STAMP=${STAMP:-$(date -u +%Y-%m-%d)}
TAG=$STAMP-report$([ "$FULL" = 1 ] && echo -full)
LOGS=${LOGS:-/tmp/lfreport}
VENV=${VENV:-$HOME/.cache/litefleet/bench-venv}
mkdir -p "$LOGS"
if [ "$FULL" = 1 ]; then
  MEM_R=3 CAP_REPEATS_AT= IDLE_ROUNDS=3 IDLE_TIMEOUT=0 COST_NS=${COST_NS:-1000 10000 100000}
  cost_env=()
else
  MEM_R=1 CAP_REPEATS_AT=100000=1 IDLE_ROUNDS=1 IDLE_TIMEOUT=600 COST_NS=${COST_NS:-1000 10000}
  cost_env=(LS_MAX_N=1000 WARMUP_SECS=30 WINDOW_SECS=120 GRACE_SECS=60 RESTORE_SAMPLE=4 CAPTURE_TIMEOUT=1200)
fi

echo "bench/report.sh ($([ "$FULL" = 1 ] && echo "FULL, about 7 hours" || echo "shortened, about 90 minutes")" \
  "on 2 cores; SKIP=${SKIP:-none}); logs in $LOGS"
sed -n '/^#   stage/,/^#   report/p' "$0"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk "BEGIN { exit !($load1 > 1.0) }"; then
  echo "warning: load average $load1: the machine is not quiet, the figures will say so" >&2
fi
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} install) || exit 1
fi
export NO_BUILD=1 SKIP_INSTALL=1  # built once above; bench/jmh's run.sh still builds itself against it

failed=() ran=()
stage() {  # stage NAME COMMAND...: runs unless SKIP names it, logs to $LOGS/NAME.log, goes on when it fails
  local name=$1; shift
  case ",${SKIP:-}," in *",$name,"*) echo "== $name: skipped"; return ;; esac
  ran+=("$name")
  echo "== $name: $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg): $*"
  if ! (cd "$ROOT" && env -u FULL -u SKIP "$@") > "$LOGS/$name.log" 2>&1; then
    failed+=("$name"); echo "   $name failed: see $LOGS/$name.log (last lines below)"; tail -5 "$LOGS/$name.log"
  fi
}
stage start OUT="$HERE/start/results-$TAG" bench/start/run.sh 20
stage memory R=$MEM_R FLEET=300,1000,3000 OUT="$HERE/memory/results-$TAG" bench/memory/run.sh
stage capture REPEATS=3 ${CAP_REPEATS_AT:+REPEATS_AT=$CAP_REPEATS_AT} OUT="$HERE/capture/results-$TAG" \
  bench/capture/run.sh 1000 3000 100000
stage idle bench/idle/run.sh --n 10000 --window 120 --rounds "$IDLE_ROUNDS" --capture-timeout "$IDLE_TIMEOUT" \
  --out "$HERE/idle/results-$TAG.md"
stage jmh RESULTS_SUFFIX=report ${FULL_JMH:+FULL=$FULL_JMH} bench/jmh/run.sh
stage cost NS="$COST_NS" "${cost_env[@]}" NO_REPORT=1 OUT="$HERE/cost/results-$TAG" bench/cost/run.sh

echo "== report: $(date -u +%H:%M:%S) UTC"
if ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$HERE/cost/requirements.txt"
fi
cost=()
[ -f "$HERE/cost/results-$TAG.json" ] && cost=(--cost "$HERE/cost/results-$TAG.json")
label=()
[ "$FULL" = 1 ] || [ ${#ran[@]} -eq 0 ] || label=(--label "Shortened run (bench/report.sh without FULL=1): one repeat of memory and idle, \
2-minute cost windows, no cost figures at N = 100,000. FULL=1 bench/report.sh gives the complete figures.")
"$VENV/bin/python" "$HERE/cost/report.py" "${cost[@]}" "${label[@]}" --out "$ROOT/docs/benchmarks.md" \
  || failed+=(report)
[ ${#failed[@]} -eq 0 ] || { echo "failed stages: ${failed[*]} (the report used older results for them)" >&2; exit 1; }
