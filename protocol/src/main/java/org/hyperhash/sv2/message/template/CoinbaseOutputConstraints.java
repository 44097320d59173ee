package org.hyperhash.sv2.message.template;

import java.util.OptionalInt;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * CoinbaseOutputConstraints (extension 0x0000, msg_type 0x70, channel_msg bit 0). The legacy 4-byte form (CoinbaseOutputDataSize, no sigops field) decodes with an empty sigops value and re-encodes to 4 bytes.
 *
 * @param coinbaseOutputMaxAdditionalSize coinbase_output_max_additional_size: U32 (unsigned, held in an int)
 * @param coinbaseOutputMaxAdditionalSigops coinbase_output_max_additional_sigops: U16, absent in the legacy 4-byte form
 */
public record CoinbaseOutputConstraints(
        int coinbaseOutputMaxAdditionalSize,
        OptionalInt coinbaseOutputMaxAdditionalSigops) implements Sv2Message {

    public CoinbaseOutputConstraints {
        java.util.Objects.requireNonNull(coinbaseOutputMaxAdditionalSigops, "coinbase_output_max_additional_sigops");
        coinbaseOutputMaxAdditionalSigops.ifPresent(v -> Sv2Message.checkRange("coinbase_output_max_additional_sigops", v, 0xFFFF));
    }

    @Override
    public MessageType type() {
        return MessageType.COINBASE_OUTPUT_CONSTRAINTS;
    }
}
