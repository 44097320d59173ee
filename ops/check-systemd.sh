#!/usr/bin/env bash
# Verifies every unit in systemd/ with `systemd-analyze verify` and records `systemd-analyze security`
# exposure (goal: every unit rated OK). Runs offline in a scratch root, so no unit is installed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
command -v systemd-analyze >/dev/null || { echo "check-systemd: systemd-analyze missing (apt-get install systemd)" >&2; exit 3; }
R="$(mktemp -d)"; trap 'rm -rf "$R"' EXIT
mkdir -p "$R/opt/hyperhash/current" "$R/opt/hyperhash/agent" "$R/etc/systemd/system" "$R/usr/lib/systemd"
cp -r /usr/lib/systemd/system "$R/usr/lib/systemd/"
printf '#!/bin/sh\n' > "$R/opt/hyperhash/current/hh"; cp "$R/opt/hyperhash/current/hh" "$R/opt/hyperhash/agent/hh"
chmod +x "$R"/opt/hyperhash/*/hh
cp "$HERE"/systemd/*.service "$HERE"/systemd/*.socket "$R/etc/systemd/system/"
fail=0
for f in "$HERE"/systemd/*.socket; do
  u="$(basename "$f")"
  if ! out="$(systemd-analyze verify --root="$R" "$R/etc/systemd/system/$u" 2>&1)"; then
    echo "FAIL verify $u: $out"; fail=1; continue
  fi
  echo "unit $u verify=ok"
done
for f in "$HERE"/systemd/*.service; do
  u="$(basename "$f")"
  if ! out="$(systemd-analyze verify --root="$R" "$R/etc/systemd/system/$u" 2>&1)"; then
    echo "FAIL verify $u: $out"; fail=1; continue
  fi
  line="$(systemd-analyze security --offline=yes --root="$R" "$u" 2>&1 | grep 'Overall exposure level' || true)"
  score="$(echo "$line" | sed -E 's/.*: ([0-9.]+) .*/\1/')"
  rating="$(echo "$line" | sed -E 's/.*[0-9.]+ ([A-Z]+).*/\1/')"
  echo "unit $u verify=ok exposure=$score rating=$rating"
  case "$rating" in OK|SAFE|PERFECT) ;; *) echo "FAIL $u is rated $rating (goal: OK or better)"; fail=1;; esac
done
# exit 2 is a configuration error: a unit that restarted on it would loop forever on a bad config
for f in "$HERE"/systemd/hh-*.service; do
  grep -q '^RestartPreventExitStatus=2$' "$f" || { echo "FAIL $(basename "$f"): RestartPreventExitStatus=2 missing"; fail=1; }
done
# install.sh installs <module>/config-examples/<network>.conf for each daemon: every one must exist
for net in mainnet testnet4 signet regtest; do
  for m in pool template-provider translator treasury web jdc; do
    [ -f "$HERE/$m/config-examples/$net.conf" ] || { echo "FAIL missing config template $m/config-examples/$net.conf"; fail=1; }
  done
done
bash -n "$HERE/systemd/install.sh" || { echo "FAIL systemd/install.sh syntax"; fail=1; }
# listen backlogs: Linux caps every Backlog= at net.core.somaxconn, so the sysctl drop-in install.sh installs must allow
# each socket unit's Backlog=, and the translator's and the pool's own backlogs (sv1.accept-backlog, sv2.accept-backlog,
# when not socket-activated) must be their socket units' (issue 19: a fleet reconnecting during a restart waits there
# while the JVM starts)
sysctl_conf="$HERE/systemd/sysctl-hyperhash.conf"
grep -q 'sysctl-hyperhash.conf' "$HERE/systemd/install.sh" || { echo "FAIL install.sh does not install systemd/sysctl-hyperhash.conf"; fail=1; }
somaxconn="$(sed -n 's/^net\.core\.somaxconn *= *//p' "$sysctl_conf")"
synbacklog="$(sed -n 's/^net\.ipv4\.tcp_max_syn_backlog *= *//p' "$sysctl_conf")"
sv1_backlog="$(sed -n 's/^ *accept-backlog *= *//p' "$HERE/translator/src/main/resources/reference.conf")"
sv2_backlog="$(sed -n 's/^ *accept-backlog *= *//p' "$HERE/pool/src/main/resources/reference.conf")"
for f in "$HERE"/systemd/*.socket; do
  b="$(sed -n 's/^Backlog=//p' "$f")"
  [ -n "$b" ] || continue
  if [ -z "$somaxconn" ] || [ "$b" -gt "$somaxconn" ] || [ -z "$synbacklog" ] || [ "$b" -gt "$synbacklog" ]; then
    echo "FAIL $(basename "$f"): Backlog=$b above net.core.somaxconn ($somaxconn) or net.ipv4.tcp_max_syn_backlog ($synbacklog) in systemd/sysctl-hyperhash.conf"; fail=1
  fi
  if grep -q '^FileDescriptorName=sv1$' "$f" && [ "$b" != "$sv1_backlog" ]; then
    echo "FAIL $(basename "$f"): Backlog=$b but the translator's sv1.accept-backlog is $sv1_backlog (keep them equal)"; fail=1
  fi
  if grep -q '^FileDescriptorName=sv2$' "$f" && [ "$b" != "$sv2_backlog" ]; then
    echo "FAIL $(basename "$f"): Backlog=$b but the pool's sv2.accept-backlog is $sv2_backlog (keep them equal)"; fail=1
  fi
done
for f in "$HERE"/systemd/*.socket; do
  if grep -q '^FileDescriptorName=sv[12]$' "$f" && ! grep -q '^Backlog=' "$f"; then
    echo "FAIL $(basename "$f"): no Backlog= (set it equal to the daemon's accept-backlog)"; fail=1
  fi
done
echo "backlogs: somaxconn $somaxconn, tcp_max_syn_backlog $synbacklog, sv1.accept-backlog $sv1_backlog, sv2.accept-backlog $sv2_backlog"
exit $fail
