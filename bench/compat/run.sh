#!/usr/bin/env bash
# Older-format replicas restored: for each old upstream writer (litestream v0.5.15, the last to write LZ4-frame LTX
# pages, and v0.3.13, the generations/ layout), N databases with different shapes (page size, size, checkpoints,
# a restart of the writer in the middle) are replicated by that writer to a file replica, then restored by Litefleet
# (the built image, as shipped) and by stock litestream v0.5.16; each restore is compared with the source (sqlite3
# .dump hash, PRAGMA integrity_check). Then Litefleet continues each v0.5.15 replica (mixed framings) and both tools
# restore it again. Prints one line per replica and a summary table; writes results-<date>.md next to this script.
#   usage: bench/compat/run.sh [N]        (N per format, default 12; about 20 s per replica)
set -uo pipefail
cd "$(dirname "$0")/../.."
N=${1:-12}
LF=${LITEFLEET:-distribution/target/litefleet/bin/litefleet}
GOBIN=${GOBIN:-$HOME/go/bin}
STOCK=$GOBIN/litestream
[ -x "$LF" ] || { echo "build the image first: ./mvnw -B -q -DskipTests package" >&2; exit 2; }
work=$(mktemp -d /tmp/litefleet-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT
export LITEFLEET_STATE_DIR="$work/state"
out="bench/compat/results-$(date -u +%Y-%m-%d).md"

hash() { sqlite3 "$1" .dump | sha256sum | cut -c1-16; }
check() { sqlite3 "$1" 'PRAGMA integrity_check'; }

# A workload: page size, rows, checkpoint every K transactions; writes while the writer runs.
workload() { # db page rows ckpt
  sqlite3 "$1" "PRAGMA page_size=$2; PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);" >/dev/null
  for ((i = 1; i <= $3; i++)); do
    sqlite3 "$1" "PRAGMA busy_timeout=5000; INSERT INTO t(v) VALUES (randomblob(abs(random()) % 3000)); UPDATE t SET v = randomblob(200) WHERE id % 7 = $((i % 7));" >/dev/null
    if (( i % $4 == 0 )); then sqlite3 "$1" "PRAGMA busy_timeout=5000; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null; fi
  done
}

wait_for() { # pattern seconds
  for ((w = 0; w < $2 * 10; w++)); do compgen -G "$1" >/dev/null && return 0; sleep 0.1; done; return 1
}

# restore_both <label> <url> <source-db>: both tools restore, both must equal the source
restore_both() {
  local ok=1 h=$(hash "$3")
  rm -f "$work/ours.db" "$work/stock.db"
  if ! "$LF" restore -o "$work/ours.db" "$2" >"$work/ours.log" 2>&1; then ok=0; echo "  ours failed: $(tail -1 "$work/ours.log")"; fi
  if ! "$STOCK" restore -o "$work/stock.db" "$2" >"$work/stock.log" 2>&1; then ok=0; echo "  stock failed: $(tail -1 "$work/stock.log")"; fi
  for f in ours stock; do
    [ -f "$work/$f.db" ] || continue
    if [ "$(hash "$work/$f.db")" != "$h" ] || [ "$(check "$work/$f.db")" != ok ]; then ok=0; echo "  $f differs from the source"; fi
  done
  echo "$1 $ok"
}

results=()
for fmt in v0.5.15 v0.3.13; do
  writer=$GOBIN/litestream-$fmt
  for ((n = 1; n <= N; n++)); do
    page=$(( (n % 3 == 0) ? 1024 : (n % 3 == 1) ? 4096 : 8192 ))
    rows=$(( 40 + (n * 37) % 200 )); ckpt=$(( 5 + n % 20 ))
    db="$work/$fmt-$n.db"; replica="$work/replica-$fmt-$n"
    workload "$db" "$page" 5 "$ckpt"
    "$writer" replicate "$db" "file://$replica" >"$work/writer.log" 2>&1 & pid=$!
    wait_for "$replica/*" 20 || echo "  writer produced nothing in 20 s"
    workload_more() { for ((i = 1; i <= $1; i++)); do sqlite3 "$db" "PRAGMA busy_timeout=5000; INSERT INTO t(v) VALUES (randomblob(abs(random()) % 3000));" >/dev/null; if (( i % ckpt == 0 )); then sqlite3 "$db" "PRAGMA busy_timeout=5000; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null; fi; done; }
    workload_more $((rows / 2))
    if (( n % 2 == 0 )); then kill -TERM $pid; wait $pid; "$writer" replicate "$db" "file://$replica" >>"$work/writer.log" 2>&1 & pid=$!; fi
    workload_more $((rows / 2))
    sleep 3 # the writer's sync interval is 1 s (v0.5) / 1 s (v0.3): let it ship, then stop it with SIGTERM
    kill -TERM $pid; wait $pid
    line=$(restore_both "$fmt#$n page=$page rows=$rows ckpt=$ckpt" "file://$replica" "$db")
    echo "$line"; results+=("$fmt restore ${line##* }")
    if [ "$fmt" = v0.5.15 ]; then # continue the old replica with Litefleet, then restore the mixed replica
      workload_more 20
      "$LF" replicate -once "$db" "file://$replica" >"$work/cont.log" 2>&1 || echo "  continue failed: $(tail -1 "$work/cont.log")"
      line=$(restore_both "$fmt#$n continued" "file://$replica" "$db")
      echo "$line"; results+=("$fmt continued ${line##* }")
    fi
  done
done

{
  echo "# Older-format replicas restored ($(date -u +%Y-%m-%dT%H:%MZ), N=$N per format, commit $(git rev-parse --short HEAD))"
  echo
  echo "Command: \`bench/compat/run.sh $N\` (image as shipped, no JAVA_OPTS). Writers: stock litestream v0.5.15 and"
  echo "v0.3.13 on file replicas; every replica restored by Litefleet and by stock v0.5.16, each compared with the source"
  echo "(sqlite3 .dump hash and integrity_check). v0.5.15 replicas are then continued by Litefleet and restored again."
  echo
  echo "| writer | case | replicas | both restores equal the source | failures |"
  echo "|---|---|---|---|---|"
  for key in "v0.5.15 restore" "v0.5.15 continued" "v0.3.13 restore"; do
    total=0; good=0
    for r in "${results[@]}"; do
      if [[ "$r" == "$key "* ]]; then total=$((total + 1)); [ "${r##* }" = 1 ] && good=$((good + 1)); fi
    done
    echo "| ${key% *} | ${key#* } | $total | $good | $((total - good)) |"
  done
  echo
  echo "v0.3.13 rows: stock v0.5.16 restores v0.3 replicas from file (and S3) only, so both tools are compared on file here;"
  echo "the other backends are covered by the *GenerationsIT tests (ours only, against the source)."
} | tee "$out"
