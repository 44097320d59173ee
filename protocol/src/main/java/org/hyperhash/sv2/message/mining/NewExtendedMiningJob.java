package org.hyperhash.sv2.message.mining;

import java.util.List;
import java.util.OptionalInt;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * NewExtendedMiningJob (extension 0x0000, msg_type 0x1f, channel_msg bit 1).
 *
 * @param channelId channel_id: U32 (unsigned, held in an int)
 * @param jobId job_id: U32 (unsigned, held in an int)
 * @param minNtime min_ntime: OPTION[U32]
 * @param version version: U32 (unsigned, held in an int)
 * @param versionRollingAllowed version_rolling_allowed: BOOL
 * @param merklePath merkle_path: SEQ0_255[U256]
 * @param coinbaseTxPrefix coinbase_tx_prefix: B0_64K
 * @param coinbaseTxSuffix coinbase_tx_suffix: B0_64K
 */
public record NewExtendedMiningJob(
        int channelId,
        int jobId,
        OptionalInt minNtime,
        int version,
        boolean versionRollingAllowed,
        List<Hash256> merklePath,
        Bytes coinbaseTxPrefix,
        Bytes coinbaseTxSuffix) implements Sv2Message, Sv2Message.ChannelMessage {

    public NewExtendedMiningJob {
        java.util.Objects.requireNonNull(minNtime, "min_ntime");
        merklePath = List.copyOf(merklePath);
        Sv2Message.checkCount("merkle_path", merklePath, 255);
        Sv2Message.checkLength("coinbase_tx_prefix", coinbaseTxPrefix, 65535);
        Sv2Message.checkLength("coinbase_tx_suffix", coinbaseTxSuffix, 65535);
    }

    @Override
    public MessageType type() {
        return MessageType.NEW_EXTENDED_MINING_JOB;
    }
}
