#!/usr/bin/env bash
# SV1 side by side with ckpool (issue 19): the C floor (bench/sv1-floor/sv1floor.c), the translator (translator + a
# lean SV2 pool in one JVM: TranslatorBenchServer) and ckpool, alternating in one command with the same clients and
# rows. ckpool is NOT built here: pass the path of a ckpool binary you built yourself (bench/README.md, "Side by side
# with ckpool", says how). Its bitcoind is CoreRpcStandIn (bench test code): Bitcoin Core's JSON-RPC and ZMQ hashblock
# over the template provider's devnet chain, started with ckpool by CkpoolBenchServer.
# Usage: bench/sv1-vs-ckpool.sh CKPOOL_BINARY [RUNS] [MINERS_STEADY] [MINERS_STORM]
#   phase 1: MINERS_STEADY (1000) clients in 2 s, then submits (one per client per 3 s, rejected as low difficulty,
#            difficulty 65536 everywhere), then new blocks; phase 2: a MINERS_STORM (5000) connect storm in 2 s.
# The steady phases stay under 60 s of submits because ckpool re-sends work to a client whose shares have all been
# invalid for 60 s (and reconnects it at 120 s), which the other servers do not do.
set -euo pipefail
cd "$(dirname "$0")/.."
CKPOOL="${1:?usage: bench/sv1-vs-ckpool.sh CKPOOL_BINARY [RUNS] [MINERS_STEADY] [MINERS_STORM]}"
RUNS="${2:-2}"; STEADY="${3:-1000}"; STORM="${4:-5000}"
CKPOOL="$(readlink -f "$CKPOOL")"
[ -x "$CKPOOL" ] || { echo "not an executable: $CKPOOL" >&2; exit 2; }
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ulimit -n "$(ulimit -Hn)"
mkdir -p target
gcc -O2 -Wall -Wextra -o target/sv1floor bench/sv1-floor/sv1floor.c -lcrypto
./mvnw -B -ntp -o -q -pl translator,bench -am test-compile
./mvnw -B -ntp -o -q -pl translator dependency:build-classpath \
    -Dmdep.outputFile="$PWD/target/translator-test-cp.txt" -Dmdep.includeScope=test
./mvnw -B -ntp -o -q -pl bench dependency:build-classpath \
    -Dmdep.outputFile="$PWD/target/bench-test-cp.txt" -Dmdep.includeScope=test
CP="translator/target/test-classes:translator/target/classes:$(cat target/translator-test-cp.txt)"
BCP="$PWD/bench/target/test-classes:$PWD/bench/target/classes:$(cat target/bench-test-cp.txt)"
J="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
USER_ADDR=bcrt1qxsju7rugkcl5zzte0d9dpy2yd78h9dat7janyv # CkpoolBenchServer.ADDRESS: a valid regtest address
CK="$JAVA_HOME/bin/java -Xmx512m -XX:+UseSerialGC -cp $BCP org.hyperhash.bench.sv1.CkpoolBenchServer $CKPOOL"
# the translator twice: JDK defaults (G1, a quarter of RAM as max heap) and the memory profile of
# systemd/hh-translator.service (without its CDS archive file)
UNIT="-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -Xms32m -Xmx256m -XX:MaxMetaspaceSize=192m -XX:ReservedCodeCacheSize=96m -XX:MaxDirectMemorySize=128m"
COMMON=(--floor "$PWD/target/sv1floor" --translator "$J" --translator "$J $UNIT" --server ckpool "$CK" --user "$USER_ADDR")
# TRANSLATOR3="JVM FLAGS" adds a third translator with the unit's profile plus those flags (a later flag wins, e.g.
# -XX:TieredStopAtLevel=4 for the unit's profile with C2)
if [ -n "${TRANSLATOR3:-}" ]; then
  COMMON+=(--translator "$J $UNIT $TRANSLATOR3")
fi
# CKPOOL_EMPTY=1 adds ckpool on templates without transactions (no merkle branch, a small getblocktemplate), as a
# bound: the default devnet templates carry 1,000 transactions (a 10-level branch, ~0.5 MB of getblocktemplate JSON)
if [ "${CKPOOL_EMPTY:-0}" = 1 ]; then
  COMMON+=(--server ckpool-0tx "${CK/-XX:+UseSerialGC/-XX:+UseSerialGC -Dbench.ckpool.txs=0}")
fi
# GEN_PRIORITY=N (root): the generator runs under nice -n -N and every server under nice -n N relative to it, so on a
# box where they share the CPUs the generator is not the one waiting for a CPU (Sv1Storm --server-nice; its output
# splits each TCP connect into the generator's own loop queue and the connect call, and prints both sides' run-queue
# wait). STORM_ONLY=1 skips the steady phase.
GEN=()
if [ -n "${GEN_PRIORITY:-}" ]; then
  GEN=(nice -n "-$GEN_PRIORITY")
  COMMON+=(--server-nice "$GEN_PRIORITY")
fi
echo "$(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') $(nproc) cpus; somaxconn $(cat /proc/sys/net/core/somaxconn);" \
    "ckpool $CKPOOL; ${GEN_PRIORITY:+generator at nice -$GEN_PRIORITY, servers +$GEN_PRIORITY; }$(uptime)"
if [ "${STORM_ONLY:-0}" != 1 ]; then
"${GEN[@]}" "$JAVA_HOME/bin/java" $J -Xmx768m -cp "$CP" org.hyperhash.translator.bench.Sv1Storm "${COMMON[@]}" \
    --miners "$STEADY" --seconds 2 --runs "$RUNS" --warmup-miners 300 --idle-seconds 5 \
    --submit-seconds 25 --submit-warmup 25 --blocks 7 --block-warmup 3
echo "$(date -u +%FT%TZ) $(uptime)"
fi
"${GEN[@]}" "$JAVA_HOME/bin/java" $J -Xmx1g -cp "$CP" org.hyperhash.translator.bench.Sv1Storm "${COMMON[@]}" \
    --miners "$STORM" --seconds 2 --runs "$RUNS" --warmup-miners 1000 ${STORM_ARGS:-}
echo "$(date -u +%FT%TZ) $(uptime)"
