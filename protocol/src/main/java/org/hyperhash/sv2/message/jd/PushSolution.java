package org.hyperhash.sv2.message.jd;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * PushSolution (extension 0x0000, msg_type 0x60, channel_msg bit 0).
 *
 * @param extranonce extranonce: B0_32
 * @param prevHash prev_hash: U256 (hash, wire order)
 * @param nonce nonce: U32 (unsigned, held in an int)
 * @param ntime ntime: U32 (unsigned, held in an int)
 * @param nbits nbits: U32 (unsigned, held in an int)
 * @param version version: U32 (unsigned, held in an int)
 */
public record PushSolution(
        Bytes extranonce,
        Hash256 prevHash,
        int nonce,
        int ntime,
        int nbits,
        int version) implements Sv2Message {

    public PushSolution {
        Sv2Message.checkLength("extranonce", extranonce, 32);
        java.util.Objects.requireNonNull(prevHash, "prev_hash");
    }

    @Override
    public MessageType type() {
        return MessageType.PUSH_SOLUTION;
    }
}
