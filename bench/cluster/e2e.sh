#!/usr/bin/env bash
# Cluster mode with the shipped launcher (issue 14 closing-note figures), by bench/cluster/e2e.py: takeover time after
# kill -9 (TRIES tries, 12 databases, two instances), then for each N the time from launch until one instance holds N
# ownership keys and etcd's requests per second over a 30 s window while it holds them; then, for the largest N, the
# time for a restarted instance to hold them all again (nothing changed, nothing uploaded). Its own etcd 3.4 (data on
# /dev/shm), file replica, lease-ttl $TTL s (default 3; the config's own default is 10), no extra JAVA_OPTS. Every wait has a deadline; each run under `timeout`.
# Writes bench/cluster/results-e2e-<date>.md (OUT: another path, without extension). Needs a built image.
#   usage: bench/cluster/e2e.sh [TRIES] [N...]        (default: 10 tries; N = 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIES=${1:-10}
shift || true
NS=("$@")
[ ${#NS[@]} -gt 0 ] || NS=(10000 100000)
out="${OUT:-bench/cluster/results-e2e-$(date -u +%Y-%m-%d)}.md"
{
  echo "# Cluster mode end to end, shipped launcher ($(date -u +%Y-%m-%dT%H:%MZ), $(etcd --version | head -1), $(nproc) cores)"
  echo
  echo "Command: \`TTL=${TTL:-3} bench/cluster/e2e.sh $TRIES ${NS[*]}\`; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo '```'
  timeout 900 python3 bench/cluster/e2e.py takeover "$TRIES"
  for n in "${NS[@]}"; do
    timeout 1200 python3 bench/cluster/e2e.py claim "$n" 30
  done
  timeout 1800 python3 bench/cluster/e2e.py restart "${NS[-1]}"
  echo '```'
  echo
  echo "Load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out"
cat "$out"
