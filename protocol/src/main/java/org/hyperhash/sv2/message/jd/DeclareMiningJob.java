package org.hyperhash.sv2.message.jd;

import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * DeclareMiningJob (extension 0x0000, msg_type 0x57, channel_msg bit 0).
 *
 * @param requestId request_id: U32 (unsigned, held in an int)
 * @param miningJobToken mining_job_token: B0_255
 * @param version version: U32 (unsigned, held in an int)
 * @param coinbaseTxPrefix coinbase_tx_prefix: B0_64K
 * @param coinbaseTxSuffix coinbase_tx_suffix: B0_64K
 * @param wtxidList wtxid_list: SEQ0_64K[U256]
 * @param excessData excess_data: B0_64K
 */
public record DeclareMiningJob(
        int requestId,
        Bytes miningJobToken,
        int version,
        Bytes coinbaseTxPrefix,
        Bytes coinbaseTxSuffix,
        List<Hash256> wtxidList,
        Bytes excessData) implements Sv2Message {

    public DeclareMiningJob {
        Sv2Message.checkLength("mining_job_token", miningJobToken, 255);
        Sv2Message.checkLength("coinbase_tx_prefix", coinbaseTxPrefix, 65535);
        Sv2Message.checkLength("coinbase_tx_suffix", coinbaseTxSuffix, 65535);
        wtxidList = List.copyOf(wtxidList);
        Sv2Message.checkCount("wtxid_list", wtxidList, 65535);
        Sv2Message.checkLength("excess_data", excessData, 65535);
    }

    @Override
    public MessageType type() {
        return MessageType.DECLARE_MINING_JOB;
    }
}
