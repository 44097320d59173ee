package org.hyperhash.pool.downstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared fan-out chunk's regions, references and chunk turnover, as DownstreamHandler uses them. */
class SharedBatchTest {
    /** The connections' channel: its allocator and its event loop, where SharedBatch queues the end of its pass. */
    private final EmbeddedChannel loop = new EmbeddedChannel();

    private void runTasks() {
        loop.runPendingTasks();
    }

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    /** A connection's region as DownstreamHandler keeps it: start, sealed end (or -1 while last). */
    private final class Conn implements SharedBatch.Writer {
        ByteBuf chunk;
        int from = -1;
        int to = -1;

        @Override
        public void sealBatch(int end) {
            to = end;
        }

        void open(SharedBatch sb) {
            chunk = sb.open(this, loop);
            from = chunk.writerIndex();
            to = -1;
        }

        int bytes() {
            return (to >= 0 ? to : chunk.writerIndex()) - from;
        }

        /** DownstreamHandler.flush: the slice carries the region's reference. */
        ByteBuf slice(SharedBatch sb) {
            ByteBuf s = chunk.slice(from, bytes());
            from = to = -1;
            sb.closed(this);
            chunk = null;
            return s;
        }
    }

    private static byte[] frame(int conn, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (conn * 31 + i);
        }
        return b;
    }

    @Test
    void eachConnectionGetsExactlyItsOwnBytesAndTheChunkIsReleasedWithTheLastSlice() {
        SharedBatch sb = new SharedBatch();
        List<Conn> conns = new ArrayList<>();
        // 400 connections x 105 bytes: several chunks (16 KiB, a new one below 1 KiB free)
        for (int i = 0; i < 400; i++) {
            Conn c = new Conn();
            c.open(sb);
            assertTrue(sb.isLast(c));
            c.chunk.writeBytes(frame(i, 53));
            c.chunk.writeBytes(frame(i + 1000, 52)); // a second frame of the same pass: same region
            conns.add(c);
        }
        assertEquals(400, sb.openRegions());
        ByteBuf first = conns.get(0).chunk;
        ByteBuf lastChunk = conns.get(399).chunk;
        assertNotSame(first, lastChunk, "the regions span more than one chunk");
        List<ByteBuf> slices = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Conn c = conns.get(i);
            assertEquals(105, c.bytes(), "region " + i);
            ByteBuf s = c.slice(sb);
            byte[] want = new byte[105];
            System.arraycopy(frame(i, 53), 0, want, 0, 53);
            System.arraycopy(frame(i + 1000, 52), 0, want, 53, 52);
            assertArrayEquals(want, ByteBufUtil.getBytes(s), "connection " + i);
            slices.add(s);
        }
        assertEquals(0, sb.openRegions());
        assertTrue(sb.holdsChunk(), "until the pass's task ends");
        runTasks();
        assertFalse(sb.holdsChunk(), "no region open after the pass: the loop holds no chunk");
        // the writes still pending hold the chunks; each completed write releases one reference
        for (int i = 0; i < 399; i++) {
            slices.get(i).release();
        }
        assertEquals(1, lastChunk.refCnt());
        slices.get(399).release();
        assertEquals(0, lastChunk.refCnt());
        assertEquals(0, first.refCnt());
    }

    @Test
    void aRegionIsSealedWhereTheNextConnectionStarts() {
        SharedBatch sb = new SharedBatch();
        Conn a = new Conn();
        Conn b = new Conn();
        a.open(sb);
        a.chunk.writeBytes(frame(1, 40));
        b.open(sb);
        assertEquals(a.from + 40, a.to, "a ends where b starts");
        assertFalse(sb.isLast(a));
        b.chunk.writeBytes(frame(2, 70));
        assertEquals(40, a.bytes());
        assertEquals(70, b.bytes());
        // a region given up without a write (a closed connection): its reference goes with it
        ByteBuf chunk = a.chunk;
        a.chunk.release();
        sb.closed(a);
        assertSame(chunk, b.chunk);
        ByteBuf s = b.slice(sb);
        assertArrayEquals(frame(2, 70), ByteBufUtil.getBytes(s));
        runTasks();
        assertEquals(1, chunk.refCnt(), "only the pending write's slice holds it");
        s.release();
        assertEquals(0, chunk.refCnt());
    }

    @Test
    void aRegionThatOutgrowsItsChunkKeepsItsBytes() {
        SharedBatch sb = new SharedBatch();
        Conn a = new Conn();
        a.open(sb);
        a.chunk.writeBytes(frame(3, 100));
        Conn big = new Conn(); // a proxy's connection: many channels' frames
        big.open(sb);
        byte[] many = frame(4, 3 * SharedBatch.CHUNK_BYTES);
        big.chunk.writeBytes(many);
        ByteBuf sa = a.slice(sb);
        ByteBuf sbig = big.slice(sb);
        assertArrayEquals(frame(3, 100), ByteBufUtil.getBytes(sa));
        assertArrayEquals(many, ByteBufUtil.getBytes(sbig));
        sa.release();
        sbig.release();
        runTasks();
        assertFalse(sb.holdsChunk());
    }

    @Test
    void connectionsThatWriteAndFlushOneAfterTheOtherShareTheChunkUntilThePassEnds() {
        SharedBatch sb = new SharedBatch();
        ByteBuf chunk = null;
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < 20; i++) {
                Conn c = new Conn();
                c.open(sb);
                if (i == 0) {
                    assertNotSame(chunk, c.chunk, "a new pass takes a new chunk");
                    chunk = c.chunk;
                }
                assertSame(chunk, c.chunk, "one chunk for the pass");
                c.chunk.writeBytes(frame(i, 105));
                ByteBuf s = c.slice(sb);
                assertArrayEquals(frame(i, 105), ByteBufUtil.getBytes(s));
                s.release(); // the write completed at once
                assertEquals(1, chunk.refCnt(), "held for the pass only");
            }
            assertTrue(sb.holdsChunk(), "until the pass's task ends");
            runTasks();
            assertFalse(sb.holdsChunk());
            assertEquals(0, chunk.refCnt());
        }
    }

    @Test
    void aRegionStillOpenAtThePassesEndKeepsTheChunkUntilItCloses() {
        SharedBatch sb = new SharedBatch();
        Conn a = new Conn();
        a.open(sb);
        a.chunk.writeBytes(frame(5, 10));
        runTasks();
        assertTrue(sb.holdsChunk());
        ByteBuf chunk = a.chunk;
        ByteBuf s = a.slice(sb);
        assertFalse(sb.holdsChunk(), "released with the last region");
        assertEquals(1, chunk.refCnt());
        s.release();
        assertEquals(0, chunk.refCnt());
    }
}
