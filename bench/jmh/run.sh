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
#   JMH_ARGS="..."     more JMH options, e.g. "-p mib=16" or "-prof gc"
#   RESULTS_SUFFIX=x   results-<date>-x.{json,md}
# Every fork gets the launcher's collector (the -XX:+Use*GC flag read from distribution/src/bin/litefleet) and
# --enable-native-access for sqlite-jdbc, and nothing else. Writes the tables to stdout and to
# bench/jmh/results-<date>[-quick][-suffix].{json,md}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

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

if [[ ${FULL:-} == 1 ]]; then
  jmh_opts=(-f 3 -wi 5 -w 2s -i 10 -r 2s -p mib=4,64); mode=full
else
  jmh_opts=(-f 1 -wi 3 -w 1s -i 5 -r 1s -p mib=4); mode=quick
fi
read -r -a extra <<< "${JMH_ARGS:-}"
cp="$here/target/classes:$here/target/lib/*"

out=$(mktemp -d /tmp/litefleet-jmh-results-XXXXXX)
trap 'rm -rf "$out"' EXIT
uptime > "$out/load-before.txt"
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
      c2) flags=$fork_args ;;
      c1) flags="$fork_args -XX:TieredStopAtLevel=1" ;;
      *) echo "unknown COMPILERS entry '$c' (use c2 or c1)" >&2; exit 2 ;;
    esac
    echo "== $jvm / $c: $java $flags" >&2
    "$jdk" -cp "$cp" org.openjdk.jmh.Main "${jmh_opts[@]}" -jvm "$java" -jvmArgsAppend "$flags" \
      -rf json -rff "$out/$jvm-$c.json" "${extra[@]}" "$@" >&2
  done
done
uptime > "$out/load-after.txt"

stamp=$(date -u +%Y-%m-%d)
name="results-$stamp"
[[ $mode == quick ]] && name="$name-quick"
[[ -n ${RESULTS_SUFFIX:-} ]] && name="$name-$RESULTS_SUFFIX"
cmd="${FULL:+FULL=$FULL }${JVMS:+JVMS=\"$JVMS\" }${COMPILERS:+COMPILERS=\"$COMPILERS\" }${JMH_ARGS:+JMH_ARGS=\"$JMH_ARGS\" }bench/jmh/run.sh $*"
python3 "$here/report.py" --dir "$out" --json "$here/$name.json" --md "$here/$name.md" \
  --command "$cmd" --commit "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --fork-args "$fork_args"
