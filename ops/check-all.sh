#!/usr/bin/env bash
# Checks the operations files with the real tools: systemd units (systemd-analyze verify + security),
# Prometheus alert rules (promtool check + unit tests), the compose stack (docker-compose config) and
# the Dockerfile (basic lint). In CI (CI=true) a missing tool is a failure; locally it is reported
# and skipped, with the package to install.
set -uo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HERE"
fail=0; ran=0; skipped=0
need() { # tool package
  if command -v "$1" >/dev/null 2>&1; then return 0; fi
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
if need docker-compose docker-compose; then
  check "compose config" sh -c 'cd docker && docker-compose -f compose.yml config -q'
fi
check "dockerfile lint" ops/lint-dockerfile.sh docker/Dockerfile
check "dashboards" ops/check-dashboards.sh
echo "ops: $ran passed, $fail failed, $skipped skipped"
exit $fail
