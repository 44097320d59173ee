package org.hyperhash.sv2.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.sv2.framing.EncryptedFraming;
import org.hyperhash.sv2.netty.FrameCipher;
import org.hyperhash.sv2.netty.NoiseFailure;
import org.hyperhash.sv2.netty.NoiseHandshakeDriver;
import org.hyperhash.sv2.netty.NoiseTestSupport;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.TestNoiseDriver;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * Fuzz target for the Noise transport decoder (NoiseHandler responder side + codec). A handshake (test
 * driver: real ChaCha20-Poly1305, toy key agreement) is run against the server pipeline; the fuzz input is then turned into <em>authentic</em> ciphertext
 * (so the fuzzer reaches the length handling and the codec rather than stopping at the first tag):
 * each record is a 6-byte plaintext header with an arbitrary msg_length followed by whatever payload
 * bytes the input still has, encrypted with the client's sender key per the chunking rules of the
 * declared length; optionally one ciphertext byte is flipped. Properties: no exception reaches the
 * pipeline; only records / UnknownFrames / typed events come out; a typed error closes the channel.
 */
class NoiseTransportFuzzTest {
    private static final Sv2Limits LIMITS = new Sv2Limits(70_000, Duration.ofSeconds(10));

    @FuzzTest(maxDuration = "30s")
    void transport(FuzzedDataProvider data) throws NoiseFailure {
        FrameDecoderFuzzTest.Checker checker = new FrameDecoderFuzzTest.Checker();
        EmbeddedChannel server = NoiseTestSupport.channel(TestNoiseDriver.responder(NoiseTestSupport.AUTHORITY), checker, LIMITS);
        NoiseHandshakeDriver initiator = TestNoiseDriver.initiator(NoiseTestSupport.AUTHORITY);
        server.writeInbound(Unpooled.wrappedBuffer(initiator.firstMessage()));
        FrameCipher sender = initiator.onMessage(NoiseTestSupport.drainOutbound(server)).sender();

        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        while (data.remainingBytes() >= 6) {
            byte[] header = data.consumeBytes(6);
            int declared = (header[3] & 0xFF) | (header[4] & 0xFF) << 8 | (header[5] & 0xFF) << 16;
            declared = declared % 140_000; // keep multi-chunk lengths likely, stay near the limit
            header[3] = (byte) declared;
            header[4] = (byte) (declared >> 8);
            header[5] = (byte) (declared >> 16);
            byte[] payload = data.consumeBytes(declared);
            write(sender, header, wire);
            int off = 0;
            while (off < payload.length) {
                int n = Math.min(EncryptedFraming.MAX_PLAINTEXT_CHUNK, payload.length - off);
                byte[] chunk = java.util.Arrays.copyOfRange(payload, off, off + n);
                write(sender, chunk, wire);
                off += n;
            }
        }
        byte[] bytes = wire.toByteArray();
        if (bytes.length > 0 && data.consumeBoolean()) {
            bytes[data.consumeInt(0, bytes.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        int i = 0;
        while (i < bytes.length && server.isOpen()) {
            int n = Math.min(bytes.length - i, 1 + (i * 31 + bytes.length) % 4096);
            ByteBuf b = server.alloc().buffer(n);
            b.writeBytes(bytes, i, n);
            server.writeInbound(b);
            i += n;
        }
        server.checkException();
        if (checker.errors > 0 && server.isOpen()) {
            throw new AssertionError("typed error without close");
        }
        server.finishAndReleaseAll();
    }

    private static void write(FrameCipher sender, byte[] plain, ByteArrayOutputStream out) throws NoiseFailure {
        byte[] ct = new byte[plain.length + EncryptedFraming.MAC_LEN];
        sender.encrypt(plain, 0, plain.length, ct, 0);
        out.writeBytes(ct);
    }
}
