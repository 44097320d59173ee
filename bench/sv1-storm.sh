#!/usr/bin/env bash
# SV1 connect storm side by side (issue 19): the C floor (bench/sv1-floor/sv1floor.c, built here with gcc) and the
# translator (translator + a lean SV2 pool in one JVM: TranslatorBenchServer), alternating in one command, with the
# load average, host-wide TcpExt ListenOverflows/ListenDrops, server CPU and RSS next to every run.
# Usage: bench/sv1-storm.sh [MINERS] [SECONDS] [RUNS] [extra Sv1Storm args, e.g. --warm-server]
# Steady phases after the storm (issue 19 rows: submits rejected as low difficulty, new-block fan-out, idle CPU):
#   bench/sv1-storm.sh 1000 2 3 --idle-seconds 10 --submit-seconds 60 --submit-warmup 20 --blocks 10
# A second translator JVM profile can be compared with TRANSLATOR2_JVM="<flags>", e.g. the translator without its
# start-up SV1 warm-up: TRANSLATOR2_JVM="-Dbench.warmupSessions=0". --storm-at-listen starts the storm the moment the
# server's port listens (miners reconnecting during a restart) instead of 1.5 s (--settle-ms) after it is ready.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
MINERS="${1:-5000}"; SECONDS_="${2:-2}"; RUNS="${3:-3}"; shift $(( $# < 3 ? $# : 3 ))
ulimit -n "$(ulimit -Hn)"
mkdir -p target
gcc -O2 -Wall -Wextra -o target/sv1floor bench/sv1-floor/sv1floor.c -lcrypto
./mvnw -B -ntp -o -q -pl translator -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/target/translator-test-cp.txt" -Dmdep.includeScope=test
CP="translator/target/test-classes:translator/target/classes:$(cat target/translator-test-cp.txt)"
J="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
ARGS=(--miners "$MINERS" --seconds "$SECONDS_" --runs "$RUNS" --floor "$PWD/target/sv1floor" --translator "$J")
if [ -n "${TRANSLATOR2_JVM:-}" ]; then ARGS+=(--translator "$J $TRANSLATOR2_JVM"); fi
echo "$(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') $(nproc) cpus; somaxconn $(cat /proc/sys/net/core/somaxconn); $(uptime)"
exec "$JAVA_HOME/bin/java" $J -Xmx512m -cp "$CP" org.hyperhash.translator.bench.Sv1Storm "${ARGS[@]}" "$@"
