package org.hyperhash.pool.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a server, to take it "down" and "up" for a client without touching the server:
 * {@link #down()} closes the listening socket and every relayed connection (the client sees the server vanish and
 * cannot reconnect), {@link #up()} listens again on the same port, {@link #stall} swallows what is sent.
 */
public final class TcpRelay implements AutoCloseable {
    private final InetSocketAddress target;
    private final List<Socket> live = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private volatile int port;
    private volatile boolean stalled;

    /** Keeps every connection open but forwards nothing more (a server that stopped answering), or resumes. */
    public void stall(boolean stall) {
        this.stalled = stall;
    }

    public TcpRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        up();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = s.getLocalPort();
        server = s;
        Thread.ofVirtual().name("relay-accept").start(() -> accept(s));
    }

    public synchronized void down() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
        for (Socket c : live) {
            closeQuietly(c);
        }
        live.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out;
                try {
                    out = new Socket(target.getAddress(), target.getPort());
                } catch (IOException e) {
                    closeQuietly(in);
                    continue;
                }
                // a connection accepted while down() ran must not outlive it (down() holds this lock)
                synchronized (this) {
                    if (server != s) {
                        closeQuietly(in);
                        closeQuietly(out);
                        return;
                    }
                    live.add(in);
                    live.add(out);
                }
                Thread.ofVirtual().start(() -> pipe(in, out));
                Thread.ofVirtual().start(() -> pipe(out, in));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            int n;
            while ((n = i.read(buf)) >= 0) {
                if (!stalled) {
                    o.write(buf, 0, n);
                    o.flush();
                }
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            live.remove(from);
            live.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // ignore
        }
    }

    @Override
    public void close() {
        down();
    }
}
