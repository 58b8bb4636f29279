#!/usr/bin/env bash
# What one Litefleet instance costs etcd (issue 14): keep-alive requests per second with no key held and with N keys
# held (must not grow with N: every ownership key is on the instance's one lease), and the time to claim N keys in
# transactions of 128 (4 in flight) against one local etcd 3.4.23 (data on /dev/shm), for N = 10,000 and 100,000.
# Runs cluster-etcd's EtcdScaleIT (testkit starts and stops etcd); writes bench/cluster/results-<date>.md
# (OUT: another path, without extension). Needs etcd (apt-get install etcd-server, or .ci/run) and a built tree.
#   usage: [WINDOW=seconds] bench/cluster/run.sh [KEYS...]      (default: 10000 100000; each rate over 30 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
KEYS=("$@")
[ ${#KEYS[@]} -gt 0 ] || KEYS=(10000 100000)
REPO=${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO}
out="${OUT:-bench/cluster/results-$(date -u +%Y-%m-%d)}.md"
{
  echo "# etcd cost of one instance ($(date -u +%Y-%m-%dT%H:%MZ), $(etcd --version | head -1), $(nproc) cores)"
  echo
  echo "Command: \`bench/cluster/run.sh ${KEYS[*]}\`; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$out"
for n in "${KEYS[@]}"; do
  ./mvnw -B -q -o $REPO verify -pl cluster-etcd -Dtest=none -Dit.test=EtcdScaleIT -Dcluster.keys="$n" -Dcluster.window-seconds="${WINDOW:-30}" \
    -Dfailsafe.failIfNoSpecifiedTests=false -Dsurefire.failIfNoSpecifiedTests=false
  grep -h "cluster scale:" cluster-etcd/target/failsafe-reports/io.litefleet.cluster.etcd.EtcdScaleIT-output.txt \
    | sed 's/^cluster scale: /- /' >> "$out"
done
cat "$out"
