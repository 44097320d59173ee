#!/usr/bin/env bash
# Installs Hyperhash under systemd on one host (run as root from an unpacked release or a built checkout):
#   sudo systemd/install.sh [--enable pool,tp,translator,treasury,node-agent] [--journald]
# --journald also installs the log policy (daily rotation, 14 days) as a host-wide journald drop-in.
# Layout: /opt/hyperhash/releases/<version> (code), /opt/hyperhash/current -> the active release,
# /opt/hyperhash/agent (the node agent's own pinned copy), /etc/hyperhash (config, keys, env files),
# /var/lib/hyperhash/<daemon> (state; created by systemd's StateDirectory=).
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENABLE=""; JOURNALD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --enable) ENABLE="${2:?--enable needs a list, e.g. tp,pool}"; shift 2 ;;
    --journald) JOURNALD=1; shift ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
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

for d in pool tp translator treasury node-agent; do
  [ -f "/etc/hyperhash/$d.conf" ] || { [ -f "$SRC/docs/config/$d.conf" ] && install -m 0640 -g hyperhash "$SRC/docs/config/$d.conf" "/etc/hyperhash/$d.conf" || touch "/etc/hyperhash/$d.conf"; }
done
install -m 0644 "$SRC"/systemd/hh-*.service /etc/systemd/system/
install -d /etc/polkit-1/rules.d && install -m 0644 "$SRC/systemd/50-hyperhash-agent.rules" /etc/polkit-1/rules.d/
if [ "$JOURNALD" = 1 ]; then
  install -d /etc/systemd/journald.conf.d
  install -m 0644 "$SRC/systemd/journald-hyperhash.conf" /etc/systemd/journald.conf.d/hyperhash.conf
  systemctl restart systemd-journald
fi
systemctl daemon-reload
IFS=, read -ra units <<< "$ENABLE"
for u in "${units[@]}"; do [ -n "$u" ] && systemctl enable --now "hh-$u.service"; done
echo "installed $version; units: $(ls "$SRC"/systemd/hh-*.service | xargs -n1 basename | tr '\n' ' ')"
