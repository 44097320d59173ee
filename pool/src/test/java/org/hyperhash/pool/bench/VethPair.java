package org.hyperhash.pool.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bench-only: a veth pair between this (root) network namespace and a namespace made for the child JVM that holds
 * the client connections, so a fan-out is measured through a virtual NIC instead of loopback (iproute2; needs root or
 * CAP_NET_ADMIN). The server listens on {@link #serverIp} on this side; the child runs under {@code ip netns exec}
 * and connects from {@link #clientIp(int)}, one address per {@code perIp} connections as on loopback.
 *
 * <p>What it separates and what not: a loopback send runs the receiver's whole TCP input inside the sender's
 * {@code write(2)}; a veth send queues the packet on the peer's backlog and the receive side runs in the NET_RX
 * softirq, usually still on the sender's CPU right after the send (so most of it is still charged to the sender's
 * thread). bench/README.md has what was measured both ways. {@link #create} returns null (with the reason printed)
 * where namespaces cannot be made, and the probes fall back to loopback.
 */
final class VethPair implements AutoCloseable {
    final String namespace;
    final String serverIp;
    private final String hostIf;

    private VethPair(String namespace, String hostIf, String serverIp) {
        this.namespace = namespace;
        this.hostIf = hostIf;
        this.serverIp = serverIp;
    }

    /** Source address of client group {@code k} (0-based) inside the namespace. */
    static String clientIp(int k) {
        return "10.211.1." + (2 + k);
    }

    /** The source address prefix the child uses: {@code prefix + (2 + k)}. */
    static String clientPrefix() {
        return "10.211.1.";
    }

    /** Makes the namespace, the pair and {@code groups} client addresses; null (reason printed) if that fails. */
    static VethPair create(int groups) {
        long pid = ProcessHandle.current().pid();
        String ns = "hhfan" + pid;
        String a = "hhf" + pid + "a";
        String b = "hhf" + pid + "b";
        VethPair v = new VethPair(ns, a, "10.211.0.1");
        try {
            run("ip", "netns", "add", ns);
            run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
            run("ip", "link", "set", b, "netns", ns);
            run("ip", "addr", "add", "10.211.0.1/16", "dev", a);
            run("ip", "link", "set", a, "up");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            for (int k = 0; k < groups; k++) {
                run("ip", "netns", "exec", ns, "ip", "addr", "add", clientIp(k) + "/16", "dev", b);
            }
            run("ip", "netns", "exec", ns, "ip", "link", "set", b, "up");
            return v;
        } catch (IOException | RuntimeException e) {
            System.out.println("veth: cannot set up a namespace pair (" + e.getMessage() + "): falling back to loopback");
            v.close();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            v.close();
            return null;
        }
    }

    /** {@code cmd} run inside the client namespace. */
    List<String> wrap(List<String> cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        c.addAll(cmd);
        return c;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }

    /** Deletes the namespace (which deletes its end of the pair and so the pair); best effort. */
    @Override
    public void close() {
        try {
            new ProcessBuilder("ip", "link", "del", hostIf).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("ip", "netns", "del", namespace).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.out.println("veth: cleanup failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
