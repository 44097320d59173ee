#!/usr/bin/env bash
# Hyperhash launcher: finds a JDK 25, builds on first use (or when sources changed), runs a subcommand.
#   ./hh test        build and run every test (unit + integration), exactly what CI runs
#   HH_BITCOIND=/path/to/bitcoind ./hh test --regtest   only e2e RegtestBitcoindIT, against a real bitcoind
#   ./hh version     print versions and the crypto provider in use
#   ./hh demo        template provider (devnet) + pool + translator + treasury + CPU miners, live dashboard
#   ./hh bench ...   JMH benchmarks (see bench/README.md)
#   ./hh <daemon> --help
set -euo pipefail
HH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd_home() { cd "$HH_HOME"; }

java_major() { # prints the feature version of the java binary $1
  # from the JDK's release file (JAVA_VERSION="25.0.3"): asking the binary starts a whole JVM, 0.1-0.2 s of CPU and up
  # to 1 s on a loaded box before every daemon start (issue 19: miners wait in the socket's backlog meanwhile)
  local release v
  release="$(dirname "$(dirname "$1")")/release"
  if [ -r "$release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")"
    if [ -n "$v" ]; then echo "$v"; return 0; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
# HH_NO_BUILD=1 (installed releases, systemd units, images) runs prebuilt jars: a Java 25 runtime is enough.
if [ -n "${HH_NO_BUILD:-}" ]; then NEED=java; else NEED=javac; fi
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/$NEED" ]; then
    local v; v="$(java_major "$JAVA_HOME/bin/java")"
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
  fi
  local d
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/jdk-25* /usr/lib/jvm/java-25* /opt/java/openjdk; do
    if [ -x "$d/bin/$NEED" ]; then
      local v; v="$(java_major "$d/bin/java")"
      if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$d"; return 0; fi
    fi
  done
  return 1
}
if ! JDK="$(find_jdk)"; then
  cat >&2 <<'MSG'
hh: no JDK 25 found. Set JAVA_HOME to a JDK 25, or install one, e.g. on Debian/Ubuntu:
    apt-get install -y temurin-25-jdk      (from the Adoptium apt repository)
  or unpack a Temurin 25 JDK under /usr/lib/jvm/.
MSG
  exit 1
fi
export JAVA_HOME="$JDK"
export PATH="$JAVA_HOME/bin:$PATH"

MVN=("$HH_HOME/mvnw" -B -ntp)
JAR="$HH_HOME/cli/target/hh-cli.jar"
STAMP="$HH_HOME/cli/target/.hh-built"

needs_build() {
  [ -f "$JAR" ] && [ -f "$STAMP" ] || return 0
  # rebuild when any main source, resource or pom is newer than the last build
  [ -n "$(find "$HH_HOME" -path "$HH_HOME/.git" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$STAMP" -print -quit 2>/dev/null)" ]
}
build() {
  echo "hh: building (first run or sources changed)..." >&2
  (cd_home && "${MVN[@]}" -q -DskipTests -Denforcer.skip=false install -pl cli -am >&2)
  touch "$STAMP"
}

cmd="${1:-help}"
case "$cmd" in
  test)
    shift
    cd_home
    if [ "${1:-}" = --regtest ]; then
      # TP -> pool -> miner against a real bitcoind -regtest (e2e RegtestBitcoindIT); the IT skips without
      # HH_BITCOIND, so asking for it without one is an error here rather than a green run that tested nothing
      shift
      if [ -z "${HH_BITCOIND:-}" ]; then
        echo "hh: test --regtest needs HH_BITCOIND=/path/to/bitcoind (Bitcoin Core with ZMQ; run against v31.1)" >&2
        exit 2
      fi
      exec "${MVN[@]}" verify -pl e2e -am -Dgroups=regtest -Dtest=none -Dit.test=org.hyperhash.e2e.RegtestBitcoindIT \
        -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false "$@"
    fi
    "${MVN[@]}" verify "$@"
    # operations files checked with the real tools (systemd-analyze, promtool, compose config)
    ops/check-all.sh
    ;;
  build)
    build; exit 0 ;;
  bench)
    # JMH benchmarks (bench/README.md): ./hh bench [JMH options, e.g. -f 1 -wi 3 -i 5 Sha256d]
    shift
    (cd_home && "${MVN[@]}" -q -DskipTests install -pl bench -am >&2)
    exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
      -jar "$HH_HOME/bench/target/benchmarks.jar" "$@"
    ;;
  *)
    # HH_NO_BUILD=1 (set by the systemd units): an installed release never compiles
    if [ -z "${HH_NO_BUILD:-}" ] && needs_build; then build; fi
    # hh demo draws a dashboard only when stdout is a terminal: tell it (the JVM's own check needs stdin too)
    if [ -t 1 ]; then export HH_STDOUT_TTY=1; else export HH_STDOUT_TTY=0; fi
    # logging (cli/src/main/resources/logback*.xml): HH_LOG_FORMAT=json for JSON lines, HH_LOG_DIR for rotated
    # files there besides stderr; the file is named after the subcommand (pool.log, tp.log, node-agent.log ...)
    log_conf=logback; [ "${HH_LOG_FORMAT:-}" = json ] && log_conf=logback-json
    [ -n "${HH_LOG_DIR:-}" ] && log_conf="$log_conf-file"
    HH_JAVA_OPTS="${HH_JAVA_OPTS:-} -Dlogback.configurationFile=$log_conf.xml -Dhh.log.name=${1:-hyperhash}"
    exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
      ${HH_JAVA_OPTS:-} -cp "$JAR:$HH_HOME/cli/target/lib/*" org.hyperhash.cli.Hh "$@"
    ;;
esac
