package org.hyperhash.agent.install;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises install/rollback/repair between the running agent and CLI commands: an in-process lock plus an
 * OS file lock on {@code <state-dir>/agent.lock} (released by the OS if the process dies).
 */
public final class AgentLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();
    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private AgentLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Waits up to {@code wait} for the lock; throws naming the lock file when another operation holds it. */
    public static AgentLock acquire(Path stateDir, Duration wait) throws IOException {
        Files.createDirectories(stateDir);
        Path file = stateDir.toAbsolutePath().normalize().resolve("agent.lock");
        ReentrantLock l = LOCAL.computeIfAbsent(file, f -> new ReentrantLock());
        long end = System.nanoTime() + wait.toNanos();
        try {
            if (!l.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("another agent operation is in progress (" + file + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + file, e);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                FileLock fl = ch.tryLock();
                if (fl != null) {
                    return new AgentLock(l, ch, fl);
                }
                if (System.nanoTime() > end) {
                    throw new IOException("another agent process holds " + file);
                }
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            l.unlock();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + file, e);
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            channel.close();
        } finally {
            local.unlock();
        }
    }
}
