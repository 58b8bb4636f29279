# Sourced by ./mvnw before it starts Maven.
#
# Maven's own JVM must be a JDK >= 21: the jar tool that maven-jar-plugin runs in-process to finish a modular jar
# cannot read a Java 21 module descriptor on JDK 17 ("The JDK jar tool exited with 1"). Compilation and tests
# pick their JDK through maven-toolchains-plugin (select-jdk-toolchain) either way. When JAVA_HOME is unset or
# older than 21, this looks for a JDK >= 21 in the usual places and uses the newest one it finds.
__lf_major() { # $1 = a JDK home; prints its major version or nothing
  [ -f "$1/release" ] && [ -x "$1/bin/javac" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}
__lf_current="${JAVA_HOME-}"
if [ -z "$__lf_current" ] && command -v javac >/dev/null 2>&1; then
  __lf_current=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
__lf_v=$(__lf_major "$__lf_current")
if [ -z "$__lf_v" ] || [ "$__lf_v" -lt 21 ]; then
  __lf_best="" __lf_best_v=0
  set +f # mvnw runs with globbing off
  for __lf_home in /usr/lib/jvm/* /opt/java/* /usr/java/* "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/*; do
    __lf_hv=$(__lf_major "$__lf_home")
    if [ -n "$__lf_hv" ] && [ "$__lf_hv" -ge 21 ] && [ "$__lf_hv" -gt "$__lf_best_v" ]; then
      __lf_best=$__lf_home __lf_best_v=$__lf_hv
    fi
  done
  set -f
  if [ -n "$__lf_best" ]; then
    JAVA_HOME=$__lf_best
    export JAVA_HOME
  else
    echo "mvnw: Litefleet needs a JDK >= 21 (found ${__lf_v:-none}); install one (e.g. Temurin 21 or 25) or set JAVA_HOME." >&2
    exit 1
  fi
fi
unset __lf_current __lf_v __lf_best __lf_best_v __lf_home __lf_hv
