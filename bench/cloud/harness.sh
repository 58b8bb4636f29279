# Sourced by bench/cloud/run.sh and bench/cost/run.sh after BASE is set: a fresh BASE, and on exit every process the
# Python driver listed in $BASE/pids is killed (its own process group, by pid), then the driver itself ($PY, set by
# the caller), and BASE is removed unless KEEP=1.
PY=
harness_cleanup() {
  if [ -f "$BASE/pids" ]; then
    while read -r p; do kill -KILL -- "-$p" 2>/dev/null || true; done < "$BASE/pids"
  fi
  [ -n "$PY" ] && kill -KILL "$PY" 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $BASE" >&2; else rm -rf "$BASE"; fi
}
trap harness_cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$BASE"; mkdir -p "$BASE"
