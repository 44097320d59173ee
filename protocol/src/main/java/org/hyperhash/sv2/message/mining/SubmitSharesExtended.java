package org.hyperhash.sv2.message.mining;

import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.Tlv;

/**
 * SubmitSharesExtended (extension 0x0000, msg_type 0x1b, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param sequenceNumber sequence_number: U32 (unsigned, held in an int)
 * @param jobId job_id: U32 (unsigned, held in an int)
 * @param nonce nonce: U32 (unsigned, held in an int)
 * @param ntime ntime: U32 (unsigned, held in an int)
 * @param version version: U32 (unsigned, held in an int)
 * @param extranonce extranonce: B0_32
 * @param tlvs tlvs: TLV fields appended after the core fields (negotiated extensions only)
 */
public record SubmitSharesExtended(
        int channelId,
        int sequenceNumber,
        int jobId,
        int nonce,
        int ntime,
        int version,
        Bytes extranonce,
        List<Tlv> tlvs) implements Sv2Message, Sv2Message.ChannelMessage {

    public SubmitSharesExtended {
        Sv2Message.checkLength("extranonce", extranonce, 32);
        tlvs = List.copyOf(tlvs);
    }

    @Override
    public MessageType type() {
        return MessageType.SUBMIT_SHARES_EXTENDED;
    }
}
