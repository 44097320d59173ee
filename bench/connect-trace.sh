#!/usr/bin/env bash
# The kernel's side of a connect storm (issue 19, "TCP connect p99"): runs COMMAND (e.g. bench/sv1-vs-ckpool.sh with
# STORM_ONLY=1) while the kernel's sock:inet_sock_set_state tracepoint records every TCP socket entering or leaving
# SYN_SENT, then prints, per server port in the order the storms ran, the time each client socket spent in SYN_SENT:
# from the SYN to the SYN-ACK that completes the handshake. That is the connect as the kernel sees it, without the
# load generator's own event loop (the connect task queued behind the replies it reads, the wait for a CPU) that the
# generator's "TCP connect" figure includes. A SYN dropped by a full accept queue shows here as 1 s and more (SYN
# retransmits). Needs root, tracefs and gawk; Linux only. The trace is filtered to SYN_SENT transitions (about two events
# per connection) in a 64 MiB per-CPU buffer; the script reports lost events if the buffer overflowed.
# Usage: bench/connect-trace.sh COMMAND [ARGS...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/connect-trace.sh COMMAND [ARGS...]" >&2; exit 2; }
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T"
EV="$T/events/sock/inet_sock_set_state"
[ -d "$EV" ] || { echo "no sock:inet_sock_set_state tracepoint in this kernel" >&2; exit 2; }
OUT="$(mktemp -d)"
cleanup() { echo 0 > "$EV/enable"; echo 0 > "$EV/filter"; echo > "$T/trace"; rm -rf "$OUT"; }
trap cleanup EXIT
echo 0 > "$EV/enable"
echo > "$T/trace"
echo 65536 > "$T/buffer_size_kb"
echo 'protocol == 6 && (oldstate == 2 || newstate == 2)' > "$EV/filter"
# the pipe drains the buffer while the command runs (a read of trace_pipe consumes what it read)
cat "$T/trace_pipe" > "$OUT/trace" &
PIPE=$!
echo 1 > "$EV/enable"
set +e
"$@"
RC=$?
set -e
echo 0 > "$EV/enable"
sleep 1
kill "$PIPE" 2>/dev/null || true
wait "$PIPE" 2>/dev/null || true
echo "kernel connect (SYN_SENT -> ESTABLISHED per client socket), by server port in the order of the storms:"
grep -h "^overrun\|^dropped events" "$T/per_cpu"/cpu*/stats 2>/dev/null | awk -F': *' '{s += $2} END {print "  events lost in the trace buffer: " s+0}'
# fields: ... TIMESTAMP: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=N dport=N ... oldstate=X newstate=Y
# (skaddr is not printed by the event's format; a socket is keyed by its four-tuple, unique while it is in SYN_SENT)
gawk '
  function pct(arr, n, p,   i) { i = int((n - 1) * p / 100 + 0.5); return arr[i + 1] }
  {
    ts = ""; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); break }
    if (ts == "") next
    sp = ""; dp = ""; sa = ""; da = ""; os = ""; ns = ""
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "sport") sp = kv[2]; else if (kv[1] == "dport") dp = kv[2]
      else if (kv[1] == "saddr") sa = kv[2]; else if (kv[1] == "daddr") da = kv[2]
      else if (kv[1] == "oldstate") os = kv[2]; else if (kv[1] == "newstate") ns = kv[2]
    }
    key = sa ":" sp ">" da ":" dp
    if (ns == "TCP_SYN_SENT") { start[key] = ts; next }
    if (os == "TCP_SYN_SENT" && (key in start)) {
      d = (ts - start[key]) * 1e6; delete start[key]
      if (ns != "TCP_ESTABLISHED") { failed[dp]++; next }
      if (!(dp in n)) { order[++ports] = dp; first[dp] = ts }
      v[dp, ++n[dp]] = d
    }
  }
  END {
    for (k = 1; k <= ports; k++) {
      p = order[k]; m = n[p]; delete a
      for (i = 1; i <= m; i++) a[i] = v[p, i]
      asort(a)
      over = 0; for (i = 1; i <= m; i++) if (a[i] >= 1e6) over++
      printf "  port %s (first SYN at %s): %d sockets, SYN_SENT -> ESTABLISHED p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us; >= 1 s (SYN retransmits): %d; not established: %d\n",
        p, first[p], m, pct(a, m, 50), pct(a, m, 99), pct(a, m, 99.9), a[m], over, failed[p] + 0
    }
  }' "$OUT/trace"
exit "$RC"
