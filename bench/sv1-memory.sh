#!/usr/bin/env bash
# Memory of the whole SV1 path (issue 19), side by side in one command: the three daemons as separate JVMs (hh tp on
# its devnet backend, hh pool, hh translator, each with the JVM profile of its systemd unit), `hh stack` (the same
# three in one JVM, with the profile of systemd/hh-stack.service) and the C floor (bench/sv1-floor/sv1floor.c), in
# rounds. Each server starts fresh; Sv1Memory then measures it idle, and after 1,000 and 5,000 SV1 clients (cumulative)
# have connected, got their first job and submitted a share every 3 s for a while: VmRSS, peak VmHWM and PSS
# (smaps_rollup) summed over the server processes, and whether anything was lost (every client notified and still
# connected, every submit answered).
# Usage: bench/sv1-memory.sh [ROUNDS] [STEPS] [VARIANT...]     e.g. bench/sv1-memory.sh 3 1000,5000 three stack floor
# Variants: three, stack, floor, and stack:NAME: the stack with STACK_JVM_NAME="<JVM flags>" (default the unit's),
# STACK_ARENAS_NAME=<MALLOC_ARENA_MAX> (empty: unset) and STACK_SET_NAME="TP_SV2_IO__THREADS=1 ..." (config overrides
# through the daemons' environment variables) from the environment, for trying a change against the unit's profile
# in the same command. HOLD (seconds, default 15) per step.
# The class-data archive of the units is left out (-XX:SharedArchiveFile needs a writable state directory; try it
# as a stack:NAME variant). Needs cli/target/hh-cli.jar (./hh build) and gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ROUNDS="${1:-3}"; STEPS="${2:-1000,5000}"; shift $(( $# < 2 ? $# : 2 ))
VARIANTS=("$@"); [ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=(three stack floor)
HOLD="${HOLD:-15}"
ulimit -n "$(ulimit -Hn)"
W="$PWD/target/sv1-memory"; rm -rf "$W"; mkdir -p "$W"
gcc -O2 -Wall -Wextra -o target/sv1floor bench/sv1-floor/sv1floor.c
[ -f cli/target/hh-cli.jar ] || { echo "build first: ./hh build" >&2; exit 1; }
./mvnw -B -ntp -o -q -pl translator -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$PWD/target/translator-test-cp.txt" -Dmdep.includeScope=test
CP="translator/target/test-classes:translator/target/classes:$(cat target/translator-test-cp.txt)"
J="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"

# the JVM profile a unit ships (its HH_JAVA_OPTS), without the class-data archive
unit_profile() {
  sed -n 's/^Environment="HH_JAVA_OPTS=\(.*\)"$/\1/p' "systemd/$1.service" \
    | sed -e 's/-XX:+AutoCreateSharedArchive//' -e 's/-XX:SharedArchiveFile=[^ ]*//' -e 's/  */ /g'
}
TP_JVM="$(unit_profile hh-tp)"; POOL_JVM="$(unit_profile hh-pool)"; TR_JVM="$(unit_profile hh-translator)"
STACK_JVM="$(unit_profile hh-stack)"
# the stack unit also sets MALLOC_ARENA_MAX (glibc: fewer malloc arenas for the many threads of three daemons)
STACK_ENV="$(sed -n 's/^Environment=MALLOC_ARENA_MAX=\([0-9]*\)$/\1/p' systemd/hh-stack.service)"

keys() { HH_NO_BUILD=1 ./hh keygen 2>/dev/null | sed -n -e 's/^sv2.authority-secret-key = "\(.*\)"$/\1/p' -e 's/^# authority public key: //p'; }
mapfile -t TPK < <(keys); mapfile -t POOLK < <(keys)
ADDR=bcrt1q6qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqgvlk57   # devnet/regtest P2WPKH, nobody's key (DemoStack.address(0))
TDP=28447 SV2=23333 SV1=23334 TPA=29091 POOLA=29090 TRA=29092
cat > "$W/tp.conf" <<EOF
network = devnet
backend = devnet
# the demo's nBits (about 524,288 hashes per block): a random submit is a block once in ~500k; the others are
# rejected as low difficulty, as in the issue's runs
devnet.bits = "0x1e200000"
sv2.listen = ["127.0.0.1:$TDP"]
sv2.authority-secret-key = "${TPK[0]}"
admin.listen = "127.0.0.1:$TPA"
EOF
cat > "$W/pool.conf" <<EOF
network = devnet
sv2.listen = ["127.0.0.1:$SV2"]
sv2.security = noise
sv2.authority-secret-key = "${POOLK[0]}"
admin.listen = "127.0.0.1:$POOLA"
payout.address = "$ADDR"
ledger.url = "jdbc:sqlite:$W/ledger.db"
template-providers = [{address = "127.0.0.1:$TDP", authority-key = "${TPK[1]}"}]
EOF
cat > "$W/translator.conf" <<EOF
sv1.listen = "127.0.0.1:$SV1"
admin.listen = "127.0.0.1:$TRA"
upstream.mode = aggregated
upstream.user-identity = "$ADDR.bench"
upstream.pools = [{name = "pool", host = "127.0.0.1", port = $SV2, authority-key = "${POOLK[1]}"}]
EOF

ready() { # admin port -> waits for /v1/ready 200 (90 s)
  for _ in $(seq 1 900); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v1/ready" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "not ready: admin port $1" >&2; return 1
}
PIDS=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  PIDS=()
}
trap stop_all EXIT
run_hh() { # log, JVM flags, MALLOC_ARENA_MAX, extra environment (K=V ...), hh args...
  local log="$1" flags="$2" env="$3" extra="$4"; shift 4
  rm -f "$W/ledger.db"*
  # shellcheck disable=SC2086 # extra is a list of K=V words
  env HH_NO_BUILD=1 HH_LOG_DIR= HH_JAVA_OPTS="$flags" ${env:+MALLOC_ARENA_MAX=$env} HH_NATIVE_DIR="$W/native" $extra \
    ./hh "$@" > "$W/$log.log" 2>&1 &
  PIDS+=($!)
}

measure() { # label, port, pids
  "$JAVA_HOME/bin/java" $J -Xmx512m -cp "$CP" org.hyperhash.translator.bench.Sv1Memory --label "$1" --port "$2" \
    --pids "$3" --steps "$STEPS" --hold-seconds "$HOLD" | grep '^MEM'
}

echo "$(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') $(nproc) cpus, $(free -m | awk '/Mem:/ {print $2}') MB; $(uptime)"
echo "three: tp [$TP_JVM] pool [$POOL_JVM] translator [$TR_JVM]"
echo "stack: [$STACK_JVM] MALLOC_ARENA_MAX=${STACK_ENV:-unset}"
for v in "${VARIANTS[@]}"; do
  case "$v" in stack:*) n="${v#stack:}"; f="STACK_JVM_$n"; a="STACK_ARENAS_$n"; e="STACK_SET_$n"
    echo "$v: [${!f:-$STACK_JVM}] MALLOC_ARENA_MAX=${!a-${STACK_ENV:-unset}} ${!e:-}";; esac
done
for r in $(seq 1 "$ROUNDS"); do
  echo "--- round $r: $(uptime)"
  for v in "${VARIANTS[@]}"; do
    case "$v" in
      three)
        run_hh tp "$TP_JVM" "" "" tp --config "$W/tp.conf"; ready $TPA
        run_hh pool "$POOL_JVM" "" "" pool --config "$W/pool.conf"; ready $POOLA
        run_hh translator "$TR_JVM" "" "" translator --config "$W/translator.conf"; ready $TRA
        sleep 2
        measure three $SV1 "$(IFS=,; echo "${PIDS[*]}")"
        ;;
      stack|stack:*)
        flags="$STACK_JVM"; env="$STACK_ENV"; extra=""
        if [ "$v" != stack ]; then
          f="STACK_JVM_${v#stack:}"; flags="${!f:-$STACK_JVM}"
          f="STACK_ARENAS_${v#stack:}"; env="${!f-$STACK_ENV}"
          f="STACK_SET_${v#stack:}"; extra="${!f:-}"
        fi
        run_hh stack "$flags" "$env" "$extra" stack --tp "$W/tp.conf" --pool "$W/pool.conf" --translator "$W/translator.conf"
        ready $TRA
        sleep 2
        measure "$v" $SV1 "${PIDS[0]}"
        ;;
      floor)
        target/sv1floor $SV1 > "$W/floor.log" 2>&1 &
        PIDS+=($!)
        sleep 0.5
        measure floor $SV1 "${PIDS[0]}"
        ;;
      *) echo "unknown variant $v" >&2; exit 2 ;;
    esac
    stop_all
    sleep 3 # TIME_WAIT of the closed clients
  done
done
echo "$(date -u +%FT%TZ) done; $(uptime)"
