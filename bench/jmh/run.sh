#!/usr/bin/env bash
# JMH micro-benchmarks of the hot loops (issue 13, item 7), each next to its floor, under C2 (default tiered) and
# C1 only (-XX:TieredStopAtLevel=1), on the build JDK and on the image's runtime when it is built. Usage:
#   bench/jmh/run.sh                  # short: 1 fork, 3x1 s warm-up, 5x1 s measured, 4 MiB (~8 min on 2 cores)
#   FULL=1 bench/jmh/run.sh           # full: 3 forks, 5x2 s warm-up, 10x2 s measured, 4 and 64 MiB (~1 h)
#   bench/jmh/run.sh 'LtxBench.crc'   # only benchmarks matching these JMH regexps
# Knobs (env):
#   MAVEN_REPO=DIR     local Maven repository, passed as -Dmaven.repo.local (default: Maven's own)
#   OFFLINE=1          build with -o (needs JMH in that repository already)
#   SKIP_INSTALL=1     do not install core and discovery-glob first (by default they are, so the code measured
#                      is the working tree's, never a stale jar from the repository)
#   JVMS="jdk image"   which runtimes: jdk = the JDK >= 21 that builds the project, image =
#                      distribution/target/litefleet/runtime (skipped with a note when not built)
#   COMPILERS="c2 c1"  c2 = default tiered compilation, c1 = -XX:TieredStopAtLevel=1
#   FORKS WARMUPS WARMUP_TIME ITERATIONS ITERATION_TIME MIB   override the mode's JMH -f -wi -w -i -r -p mib
#   JMH_ARGS="..."     other JMH options, e.g. "-prof gc" (JMH rejects an option given twice)
#   RESULTS_SUFFIX=x   results-<date>-x.{json,md}
#   PEER=0             skip the peer run (Go: Litestream v0.5.16's and ltx v0.5.2's code for the same loops)
# Every fork gets the launcher's collector (the -XX:+Use*GC flag read from distribution/src/bin/litefleet) and
# --enable-native-access for sqlite-jdbc, and nothing else. Writes the tables to stdout and to
# bench/jmh/results-<date>[-quick][-suffix].{json,md}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

if [[ ${FULL:-} == 1 ]]; then
  mode=full; d=(3 5 2s 10 2s 4,64)
else
  mode=quick; d=(1 3 1s 5 1s 4)
fi
[[ ${MIB:-${d[5]}} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] \
  || { echo "MIB='${MIB:-}' is not a comma-separated list of positive whole MiB counts (e.g. 4 or 4,64)" >&2; exit 2; }
jmh_opts=(-f "${FORKS:-${d[0]}}" -wi "${WARMUPS:-${d[1]}}" -w "${WARMUP_TIME:-${d[2]}}" -i "${ITERATIONS:-${d[3]}}"
  -r "${ITERATION_TIME:-${d[4]}}" -p "mib=${MIB:-${d[5]}}")
mvn_args=(-B -q)
[[ -n ${MAVEN_REPO:-} ]] && mvn_args+=("-Dmaven.repo.local=$MAVEN_REPO")
[[ ${OFFLINE:-} == 1 ]] && mvn_args+=(-o)
if [[ ${SKIP_INSTALL:-} != 1 ]]; then
  echo "installing core and discovery-glob from the working tree (SKIP_INSTALL=1 skips)" >&2
  (cd "$repo" && ./mvnw "${mvn_args[@]}" install -DskipTests -pl core,discovery-glob -am)
fi
echo "building bench/jmh" >&2
(cd "$repo" && ./mvnw "${mvn_args[@]}" -f bench/jmh/pom.xml package)

# The JDK that runs the JMH harness: JMH_JAVA, else the newest JDK >= 21 in /usr/lib/jvm (as the toolchain
# plugin picks one for the build), else java on PATH if it is >= 21.
java_feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
find_jdk() {
  if [[ -n ${JMH_JAVA:-} ]]; then echo "$JMH_JAVA"; return; fi
  local best="" best_v=0 j v
  for j in /usr/lib/jvm/*/bin/java $(command -v java || true); do
    [[ -x $j ]] || continue
    v=$(java_feature "$j"); v=${v%%.*}
    if [[ -n $v && $v -ge 21 && $v -gt $best_v ]]; then best=$j; best_v=$v; fi
  done
  [[ -n $best ]] || { echo "no JDK >= 21 found: set JMH_JAVA" >&2; exit 2; }
  echo "$best"
}
jdk=$(find_jdk)
image_java="$repo/distribution/target/litefleet/runtime/bin/java"
launcher_gc=$(grep -o -- '-XX:+Use[A-Za-z]*GC' "$repo/distribution/src/bin/litefleet" | head -1 || true)
fork_args="--enable-native-access=ALL-UNNAMED${launcher_gc:+ $launcher_gc}"

read -r -a extra <<< "${JMH_ARGS:-}"
cp="$here/target/classes:$here/target/lib/*"

out=$(mktemp -d /tmp/litefleet-jmh-results-XXXXXX)
trap 'rm -rf "$out"' EXIT
uptime > "$out/load-before.txt"
# Runtimes and compilers, checked before anything runs: "name java flags" per configuration.
configs=()
for jvm in ${JVMS:-jdk image}; do
  case $jvm in
    jdk) java=$jdk ;;
    image)
      if [[ ! -x $image_java ]]; then
        echo "note: $image_java is not built (./mvnw install -DskipTests builds it): image runs skipped" >&2
        echo "image runtime not built: skipped" > "$out/skipped-image.txt"
        continue
      fi
      java=$image_java ;;
    *) echo "unknown JVMS entry '$jvm' (use jdk or image)" >&2; exit 2 ;;
  esac
  "$java" -version 2> "$out/version-$jvm.txt"
  for c in ${COMPILERS:-c2 c1}; do
    case $c in
      c2) configs+=("$jvm-$c|$java|$fork_args") ;;
      c1) configs+=("$jvm-$c|$java|$fork_args -XX:TieredStopAtLevel=1") ;;
      *) echo "unknown COMPILERS entry '$c' (use c2 or c1)" >&2; exit 2 ;;
    esac
  done
done
# One benchmark class at a time under every configuration in turn, so that a benchmark, its floors and its C1
# and C2 runs are measured minutes apart at most: on a shared machine the load drifts less between them.
mapfile -t benchmarks < <("$jdk" -cp "$cp" org.openjdk.jmh.Main -l "$@" | grep '^io\.litefleet\.')
[[ ${#benchmarks[@]} -gt 0 ]] || { echo "no benchmark matches: $*" >&2; exit 2; }
classes=$(printf '%s\n' "${benchmarks[@]}" | sed 's/\.[^.]*$//' | awk '!seen[$0]++')
for class in $classes; do
  names=()
  for b in "${benchmarks[@]}"; do
    if [[ ${b%.*} == "$class" ]]; then names+=("^${b//./\\.}\$"); fi
  done
  for config in "${configs[@]}"; do
    IFS='|' read -r name java flags <<< "$config"
    echo "== ${class##*.} on $name: $java $flags" >&2
    "$jdk" -cp "$cp" org.openjdk.jmh.Main "${jmh_opts[@]}" -jvm "$java" -jvmArgsAppend "$flags" \
      -rf json -rff "$out/$name-${class##*.}.json" "${extra[@]}" "${names[@]}" >&2
  done
done
# The peer's code for the same loops over the same bytes (peer/main.go: Litestream v0.5.16, ltx v0.5.2, Go's
# hash/crc64 and filepath.Match), one process per mib value, 5 runs of about 1 s each.
if [[ ${PEER:-1} == 1 ]]; then
  export PATH="$PATH:/usr/local/go/bin"
  if command -v go >/dev/null; then
    echo "== peer (Go): building bench/jmh/peer" >&2
    (cd "$here/peer" && go build -o "$out/peer-bin" .)
    IFS=, read -r -a mibs <<< "${MIB:-${d[5]}}"
    for m in "${mibs[@]}"; do
      mkdir -p "$out/wal-$m"
      wal=$("$jdk" --enable-native-access=ALL-UNNAMED -cp "$cp" io.litefleet.bench.jmh.Fixtures "$out/wal-$m" "$m")
      echo "== peer (Go): mib=$m" >&2
      "$out/peer-bin" -wal "$wal" -mib "$m" -runs 5 > "$out/peer-mib=$m.json"
    done
  else
    echo "note: no go on PATH: the peer comparison is skipped" >&2
  fi
fi
uptime > "$out/load-after.txt"

stamp=$(date -u +%Y-%m-%d)
name="results-$stamp"
[[ $mode == quick ]] && name="$name-quick"
[[ -n ${RESULTS_SUFFIX:-} ]] && name="$name-$RESULTS_SUFFIX"
overrides=""
for v in FORKS WARMUPS WARMUP_TIME ITERATIONS ITERATION_TIME MIB; do
  [[ -n ${!v:-} ]] && overrides+="$v=${!v} "
done
cmd="$overrides${FULL:+FULL=$FULL }${JVMS:+JVMS=\"$JVMS\" }${COMPILERS:+COMPILERS=\"$COMPILERS\" }${JMH_ARGS:+JMH_ARGS=\"$JMH_ARGS\" }bench/jmh/run.sh${*:+$(printf " %q" "$@")}"
python3 "$here/report.py" --dir "$out" --json "$here/$name.json" --md "$here/$name.md" \
  --command "$cmd" --commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --fork-args "$fork_args"
