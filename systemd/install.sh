#!/usr/bin/env bash
# Installs Hyperhash under systemd on one host (run as root from an unpacked release or a built checkout):
#   sudo systemd/install.sh --network mainnet|testnet4|signet|regtest [--enable pool,tp,translator,treasury,web,jdc,node-agent | --enable stack] [--journald]
# --network picks the config templates (<module>/config-examples/<network>.conf) installed as /etc/hyperhash/<daemon>.conf
# when that file does not exist yet; their REQUIRED lines must be filled in (hh <daemon> --config F --check-config says
# what is missing). There is no default network: a toy devnet never starts from an install.
# --journald also installs the log policy (daily rotation, 14 days) as a host-wide journald drop-in.
# Layout: /opt/hyperhash/releases/<version> (code), /opt/hyperhash/current -> the active release,
# /opt/hyperhash/agent (the node agent's own pinned copy), /etc/hyperhash (config, keys, env files),
# /var/lib/hyperhash/<daemon> (state; created by systemd's StateDirectory=).
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENABLE=""; JOURNALD=0; NETWORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --network) NETWORK="${2:?--network needs mainnet, testnet4, signet or regtest}"; shift 2 ;;
    --enable) ENABLE="${2:?--enable needs a list, e.g. tp,pool}"; shift 2 ;;
    --journald) JOURNALD=1; shift ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$NETWORK" in
  mainnet|testnet4|signet|regtest) ;;
  "") echo "install.sh: --network mainnet|testnet4|signet|regtest is required (the config templates differ per network)" >&2; exit 2 ;;
  *) echo "install.sh: unknown network '$NETWORK' (mainnet, testnet4, signet or regtest)" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

getent group hyperhash >/dev/null || groupadd --system hyperhash
id hyperhash >/dev/null 2>&1 || useradd --system --gid hyperhash --home-dir /var/lib/hyperhash --shell /usr/sbin/nologin hyperhash
id hh-agent >/dev/null 2>&1 || useradd --system --gid hyperhash --home-dir /var/lib/hyperhash/agent --shell /usr/sbin/nologin hh-agent

version="$(grep -m1 '<version>' "$SRC/pom.xml" | sed 's/.*<version>\(.*\)<\/version>.*/\1/')"
dest="/opt/hyperhash/releases/$version"
install -d -m 0755 /opt/hyperhash/releases "$dest" /etc/hyperhash
# a release needs the launcher and the built jars; build first with ./hh build
[ -f "$SRC/cli/target/hh-cli.jar" ] || { echo "install.sh: build first: ./hh build" >&2; exit 1; }
cp -a "$SRC/hh" "$dest/"
install -d "$dest/cli/target"
cp -a "$SRC/cli/target/hh-cli.jar" "$SRC/cli/target/lib" "$SRC/cli/target/.hh-built" "$dest/cli/target/" 2>/dev/null || true
touch "$dest/cli/target/.hh-built"
cp -a "$SRC/docs" "$dest/" 2>/dev/null || true
ln -sfn "$dest" /opt/hyperhash/current.new && mv -T /opt/hyperhash/current.new /opt/hyperhash/current
[ -d /opt/hyperhash/agent ] || cp -a "$dest" /opt/hyperhash/agent
chown -R hh-agent:hyperhash /opt/hyperhash/releases
chown hh-agent:hyperhash /opt/hyperhash   # the agent renames current.new -> current here (not recursive)

# config templates: never overwrite an operator's file; the shared SQLite ledger of pool and treasury lives in
# /var/lib/hyperhash/ledger (both units' StateDirectory), not in each unit's working directory
for pair in pool:pool tp:template-provider translator:translator treasury:treasury web:web jdc:jdc; do
  d="${pair%%:*}"; module="${pair#*:}"
  template="$SRC/$module/config-examples/$NETWORK.conf"
  [ -f "$template" ] || { echo "install.sh: missing template $template" >&2; exit 1; }
  if [ ! -f "/etc/hyperhash/$d.conf" ]; then
    sed 's#jdbc:sqlite:./hh-data/ledger.db#jdbc:sqlite:/var/lib/hyperhash/ledger/ledger.db#' "$template" > "/etc/hyperhash/$d.conf"
    chmod 0640 "/etc/hyperhash/$d.conf"; chgrp hyperhash "/etc/hyperhash/$d.conf"
    echo "install.sh: /etc/hyperhash/$d.conf from $module/config-examples/$NETWORK.conf: fill in its REQUIRED lines"
  fi
done
[ -f /etc/hyperhash/node-agent.conf ] || install -m 0640 -g hyperhash /dev/null /etc/hyperhash/node-agent.conf
install -m 0644 "$SRC"/systemd/hh-*.service "$SRC"/systemd/hh-*.socket /etc/systemd/system/
# listen backlogs (net.core.somaxconn caps every Backlog=): applied now, before any socket unit below listens (the
# kernel fixes a socket's backlog when it starts listening), and at every boot by systemd-sysctl before sockets.target
install -d /etc/sysctl.d
install -m 0644 "$SRC/systemd/sysctl-hyperhash.conf" /etc/sysctl.d/60-hyperhash.conf
sysctl -q -p /etc/sysctl.d/60-hyperhash.conf || echo "install.sh: could not apply /etc/sysctl.d/60-hyperhash.conf now (a container?): it applies at the next boot" >&2
install -d /etc/polkit-1/rules.d && install -m 0644 "$SRC/systemd/50-hyperhash-agent.rules" /etc/polkit-1/rules.d/
if [ "$JOURNALD" = 1 ]; then
  install -d /etc/systemd/journald.conf.d
  install -m 0644 "$SRC/systemd/journald-hyperhash.conf" /etc/systemd/journald.conf.d/hyperhash.conf
  systemctl restart systemd-journald
fi
systemctl daemon-reload
IFS=, read -ra units <<< "$ENABLE"
for u in "${units[@]}"; do
  [ -n "$u" ] || continue
  # a daemon with a socket unit (the pool's mining port): the socket first, so it listens before the service runs
  for s in /etc/systemd/system/hh-"$u".socket /etc/systemd/system/hh-"$u"-*.socket; do
    if [ -f "$s" ]; then systemctl enable --now "$(basename "$s")"; fi
  done
  systemctl enable --now "hh-$u.service"
done
# a socket unit that was already listening keeps the backlog it started with: say so when it is below Backlog=
for s in "$SRC"/systemd/hh-*.socket; do
  u="$(basename "$s")"; want="$(sed -n 's/^Backlog=//p' "$s")"; port="$(sed -n 's/^ListenStream=//p' "$s" | tail -1)"
  # the service the socket feeds (Service=, e.g. hh-stack.service for both hh-stack-*.socket), else the same name
  svc="$(sed -n 's/^Service=//p' "$s")"; svc="${svc:-${u%.socket}.service}"
  if [ -n "$want" ] && systemctl -q is-active "$u" 2>/dev/null && command -v ss >/dev/null; then
    have="$(ss -Hltn "sport = :${port##*:}" | awk 'NR==1 {print $3}')"
    if [ -n "$have" ] && [ "$have" -lt "$want" ]; then
      echo "install.sh: $u listens with backlog $have (Backlog=$want takes effect when it listens anew: systemctl stop $svc $u && systemctl start $u $svc)"
    fi
  fi
done
echo "installed $version; units: $(ls "$SRC"/systemd/hh-*.service | xargs -n1 basename | tr '\n' ' ')"
