#!/usr/bin/env bash
# SV1 connect storm during a socket-activated restart (issue 19): the storm starts the moment the port listens, and its
# first SYN execs the server (as hh-translator.socket starts hh-translator.service), so it arrives while the JVM starts.
# One command, old vs new listen backlog, each against the C floor started the same way (bench/sv1-floor/sv1floor.c
# under bench/sv1-floor/sv1activate.c), with the load, dropped SYNs (TcpExt ListenOverflows/ListenDrops), 99% first
# notify and TCP connect p99 per run. Servers: floor-OLD, floor-NEW (the C floor with each backlog), translator-OLD,
# translator-NEW (the translator daemon as its unit starts it, bench DaemonStart, from a release layout of this tree).
#
# Runs in a private network namespace (unshare -n; needs root) with systemd/sysctl-hyperhash.conf applied in it, as
# install.sh applies it on a host: net.core.somaxconn then lets the NEW backlog through, the OLD one is what
# hh-translator.socket had (Backlog=4096, the kernel's default cap), and the namespace's TcpExt counters are this
# command's alone (other processes' storms on the host do not show up in them).
# Usage: sudo bench/sv1-restart-storm.sh [MINERS] [SECONDS] [RUNS] [OLD_BACKLOG] [NEW_BACKLOG] [extra Sv1Storm args]
#   defaults: 5000 2 3 4096 <Backlog= of systemd/hh-translator.socket>
# LAYOUT=DIR uses that release layout (DIR/hh-cli.jar, DIR/lib/) instead of target/restart-storm/layout (a copy of
# cli/target; build first: ./mvnw -o install -DskipTests). Each translator run first prints the daemon's spawn ->
# first accept and -> ready with its CPU, and its CPU by thread at the first accept. MODE=bind: without socket
# activation (the daemon binds with sv1.accept-backlog OLD / NEW, the storm at its "listening sv1" line).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
unit_backlog="$(sed -n 's/^Backlog=//p' systemd/hh-translator.socket)"
MINERS="${1:-5000}"; SECONDS_="${2:-2}"; RUNS="${3:-3}"; OLD="${4:-4096}"; NEW="${5:-$unit_backlog}"
shift $(( $# < 5 ? $# : 5 ))
[ "$(id -u)" = 0 ] || { echo "sv1-restart-storm: needs root (a private network namespace and its sysctls)" >&2; exit 1; }
if [ -z "${HH_RESTART_STORM_NETNS:-}" ]; then
  mkdir -p target
  gcc -O2 -Wall -Wextra -o target/sv1floor bench/sv1-floor/sv1floor.c -lcrypto
  gcc -O2 -Wall -Wextra -o target/sv1activate bench/sv1-floor/sv1activate.c
  ./mvnw -B -ntp -o -q -pl translator -am test-compile dependency:build-classpath \
      -Dmdep.outputFile="$PWD/target/translator-test-cp.txt" -Dmdep.includeScope=test
  if [ -z "${LAYOUT:-}" ]; then
    [ -f cli/target/hh-cli.jar ] || { echo "sv1-restart-storm: build first: ./mvnw -o install -DskipTests" >&2; exit 1; }
    rm -rf target/restart-storm/layout && mkdir -p target/restart-storm/layout
    cp -r cli/target/hh-cli.jar cli/target/lib target/restart-storm/layout/
  fi
  export HH_RESTART_STORM_NETNS=1
  export MODE="${MODE:-activated}"
  exec unshare -n -- "$0" "$MINERS" "$SECONDS_" "$RUNS" "$OLD" "$NEW" "$@"
fi
# inside the private namespace
ip link set lo up
sysctl -q -p systemd/sysctl-hyperhash.conf
ulimit -n "$(ulimit -Hn)"
L="$(realpath "${LAYOUT:-target/restart-storm/layout}")"
CP="translator/target/test-classes:translator/target/classes:$(cat target/translator-test-cp.txt)"
J="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
JAVA="$JAVA_HOME/bin/java"
echo "$(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') $(nproc) cpus; private netns: somaxconn $(cat /proc/sys/net/core/somaxconn)," \
  "tcp_max_syn_backlog $(cat /proc/sys/net/ipv4/tcp_max_syn_backlog), syncookies $(cat /proc/sys/net/ipv4/tcp_syncookies);" \
  "backlog old $OLD new $NEW; layout $L; $(uptime)"
# the layout's CDS archive (the unit's -XX:+AutoCreateSharedArchive writes it at the first stop) before any counted run,
# and the start alone (no miners, port bound by the daemon) once
"$JAVA" $J -cp "$CP" org.hyperhash.translator.bench.DaemonStart --measure 1 "$L"
if [ "${MODE:-activated}" = bind ]; then
  # MODE=bind: no socket activation; the daemon binds the port itself with sv1.accept-backlog OLD / NEW and the storm
  # starts at its "listening sv1" line (the C floor, bound by itself, backlog 4096: it accepts within ms of its start)
  exec "$JAVA" $J -Xmx1g -cp "$CP" org.hyperhash.translator.bench.Sv1Storm --miners "$MINERS" --seconds "$SECONDS_" \
    --runs "$RUNS" --storm-at-listen --alternate \
    --floor "$PWD/target/sv1floor" \
    --server "translator-bind-$OLD" "$JAVA $J -Dbench.activate=false -Dbench.acceptBacklog=$OLD -cp $CP org.hyperhash.translator.bench.DaemonStart $L" \
    --server "translator-bind-$NEW" "$JAVA $J -Dbench.activate=false -Dbench.acceptBacklog=$NEW -cp $CP org.hyperhash.translator.bench.DaemonStart $L" \
    "$@"
fi
exec "$JAVA" $J -Xmx1g -cp "$CP" org.hyperhash.translator.bench.Sv1Storm --miners "$MINERS" --seconds "$SECONDS_" \
  --runs "$RUNS" --storm-at-listen --alternate \
  --server "floor-$OLD" "$PWD/target/sv1activate 127.0.0.1:0 $OLD sv1 $PWD/target/sv1floor" \
  --server "floor-$NEW" "$PWD/target/sv1activate 127.0.0.1:0 $NEW sv1 $PWD/target/sv1floor" \
  --server "translator-$OLD" "$JAVA $J -Dbench.backlog=$OLD -Dbench.activator=$PWD/target/sv1activate -cp $CP org.hyperhash.translator.bench.DaemonStart $L" \
  --server "translator-$NEW" "$JAVA $J -Dbench.backlog=$NEW -Dbench.activator=$PWD/target/sv1activate -cp $CP org.hyperhash.translator.bench.DaemonStart $L" \
  "$@"
