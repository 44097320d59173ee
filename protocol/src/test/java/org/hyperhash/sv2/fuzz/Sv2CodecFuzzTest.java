package org.hyperhash.sv2.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.codec.Sv2DecodeException;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzz target for {@link Sv2Codec#decode}: the first input byte selects one of the 44 message types,
 * the rest is the payload. Properties: only {@link Sv2DecodeException} for bad input (never an
 * unchecked exception), the error names a field, and whatever decodes re-encodes to a payload that
 * decodes to the same record (canonical re-encoding: identical bytes except non-canonical BOOLs).
 * Regression inputs (one per message type, plus any crash found) live under
 * src/test/resources/org/hyperhash/sv2/fuzz/Sv2CodecFuzzTestInputs/decode/.
 */
class Sv2CodecFuzzTest {
    private static final MessageType[] TYPES = MessageType.values();

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        MessageType type = TYPES[(input[0] & 0xFF) % TYPES.length];
        byte[] payload = Arrays.copyOfRange(input, 1, input.length);
        Sv2Message m;
        try {
            m = Sv2Codec.decode(type.wireExtensionType(), type.msgType(), Unpooled.wrappedBuffer(payload));
        } catch (Sv2DecodeException e) {
            assertEquals(type.specName(), e.messageName());
            assertNotNull(e.field());
            return;
        }
        assertEquals(type, m.type());
        ByteBuf out = Unpooled.buffer();
        Sv2Codec.encode(m, out);
        byte[] reencoded = ByteBufUtil.getBytes(out);
        if (type == MessageType.SUBMIT_SHARES_EXTENDED) {
            // a malformed TLV tail is ignored on decode (SRI), so it is not re-encoded
            org.junit.jupiter.api.Assertions.assertTrue(reencoded.length <= payload.length);
        } else {
            assertEquals(payload.length, reencoded.length);
        }
        try {
            assertEquals(m, Sv2Codec.decode(type, Unpooled.wrappedBuffer(reencoded)));
        } catch (Sv2DecodeException e) {
            throw new AssertionError("re-encoded " + type + " does not decode", e);
        }
    }
}
