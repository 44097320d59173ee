#!/usr/bin/env bash
# Checks the operations files with the real tools: systemd units (systemd-analyze verify + security),
# Prometheus alert rules (promtool check + unit tests) and scrape config, the Alertmanager config
# (amtool), the compose stack (docker-compose config, with the example env file), the Dockerfile
# (basic lint) and the Grafana dashboards (JSON + metric names against ops/metrics-exported.txt).
# In CI (CI=true) a missing tool is a failure; locally it is reported and skipped, with the package
# to install (.ci/run installs them all).
set -uo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HERE"
fail=0; ran=0; skipped=0
need() { # tool package
  if command -v "$1" >/dev/null 2>&1; then return 0; fi
  missing "$1" "$2"
}
missing() { # what package: fails in CI, skips locally
  if [ "${CI:-}" = true ]; then echo "ops: FAIL $1 is missing (apt-get install $2)"; fail=1; else echo "ops: skipped, $1 missing (apt-get install $2)"; skipped=$((skipped+1)); fi
  return 1
}
check() { # name cmd...
  local name="$1"; shift
  if "$@"; then echo "ops: ok $name"; ran=$((ran+1)); else echo "ops: FAIL $name"; fail=1; fi
}
if need systemd-analyze systemd; then check systemd ops/check-systemd.sh; fi
if need promtool prometheus; then
  check "promtool check rules" promtool check rules ops/prometheus/rules/*.yml
  check "promtool test rules" promtool test rules ops/prometheus/tests/*.yml
  check "promtool check config" promtool check config --syntax-only docker/prometheus/prometheus.yml
fi
if need amtool prometheus-alertmanager; then
  check "amtool check-config" amtool check-config docker/alertmanager/alertmanager.yml
fi
if need docker-compose docker-compose; then
  check "compose config" sh -c 'cd docker && docker-compose --env-file hyperhash.env.example -f compose.yml config -q'
  # profile scale-out: two pools behind HAProxy, two treasuries, PostgreSQL (docs/operations.md, "Scale out")
  check "compose config (scale-out)" sh -c 'cd docker && docker-compose --env-file hyperhash.env.example -f compose.yml --profile scale-out config -q \
    && docker-compose --env-file hyperhash.env.example -f compose.yml --profile scale-out config --services | sort | tr "\n" " " \
       | grep -q "pool-1 pool-2 pool-balancer postgres .*treasury-1 treasury-2"'
  # profile hyper-node: a Hyper Node (hh jdc) with its own TP declaring to the pool (docs/operations.md)
  check "compose config (hyper-node)" sh -c 'cd docker && docker-compose --env-file hyperhash.env.example -f compose.yml --profile hyper-node config --services | sort | tr "\n" " " \
       | grep -q "jdc .*tp-hyper-node"'
  # profile small-box: tp, pool, translator, treasury and web in one JVM (hh stack), reaching each other on loopback
  check "compose config (small-box)" sh -c 'cd docker && docker-compose --env-file hyperhash.env.example -f compose.yml --profile small-box config \
    | sed -n "/^  stack:/,/^  [a-z]/p" | grep -q "POOL_TEMPLATE__PROVIDERS: .*127.0.0.1:18447"'
  # without the variables the stack must refuse to start (keys, addresses and passwords are required)
  check "compose requires env" sh -c 'cd docker && ! env -i PATH="$PATH" docker-compose --env-file /dev/null -f compose.yml config -q 2>/dev/null'
fi
check "dockerfile lint" ops/lint-dockerfile.sh docker/Dockerfile
if need python3 python3 && { python3 -c 'import yaml' 2>/dev/null || missing "python3 module yaml" python3-yaml; }; then
  check "dashboards and metric names" ops/check-dashboards.sh
fi
echo "ops: $ran passed, $fail failed, $skipped skipped"
exit $fail
