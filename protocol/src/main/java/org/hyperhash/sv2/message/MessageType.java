package org.hyperhash.sv2.message;

import java.util.Arrays;

/**
 * The one table of SV2 message types: spec name, sub-protocol, extension_type, msg_type and the
 * channel_msg bit the sender must set. Lookup on receive uses {@code extension_type & 0x7FFF} and
 * {@code msg_type} (the channel bit is ignored when dispatching, as SRI does).
 */
public enum MessageType {
    SETUP_CONNECTION("SetupConnection", Protocol.COMMON, 0x0000, 0x00, false, org.hyperhash.sv2.message.common.SetupConnection.class),
    SETUP_CONNECTION_SUCCESS("SetupConnection.Success", Protocol.COMMON, 0x0000, 0x01, false, org.hyperhash.sv2.message.common.SetupConnectionSuccess.class),
    SETUP_CONNECTION_ERROR("SetupConnection.Error", Protocol.COMMON, 0x0000, 0x02, false, org.hyperhash.sv2.message.common.SetupConnectionError.class),
    CHANNEL_ENDPOINT_CHANGED("ChannelEndpointChanged", Protocol.COMMON, 0x0000, 0x03, true, org.hyperhash.sv2.message.common.ChannelEndpointChanged.class),
    RECONNECT("Reconnect", Protocol.COMMON, 0x0000, 0x04, false, org.hyperhash.sv2.message.common.Reconnect.class),
    OPEN_STANDARD_MINING_CHANNEL("OpenStandardMiningChannel", Protocol.MINING, 0x0000, 0x10, false, org.hyperhash.sv2.message.mining.OpenStandardMiningChannel.class),
    OPEN_STANDARD_MINING_CHANNEL_SUCCESS("OpenStandardMiningChannel.Success", Protocol.MINING, 0x0000, 0x11, false, org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess.class),
    OPEN_MINING_CHANNEL_ERROR("OpenMiningChannel.Error", Protocol.MINING, 0x0000, 0x12, false, org.hyperhash.sv2.message.mining.OpenMiningChannelError.class),
    OPEN_EXTENDED_MINING_CHANNEL("OpenExtendedMiningChannel", Protocol.MINING, 0x0000, 0x13, false, org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel.class),
    OPEN_EXTENDED_MINING_CHANNEL_SUCCESS("OpenExtendedMiningChannel.Success", Protocol.MINING, 0x0000, 0x14, false, org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess.class),
    NEW_MINING_JOB("NewMiningJob", Protocol.MINING, 0x0000, 0x15, true, org.hyperhash.sv2.message.mining.NewMiningJob.class),
    UPDATE_CHANNEL("UpdateChannel", Protocol.MINING, 0x0000, 0x16, true, org.hyperhash.sv2.message.mining.UpdateChannel.class),
    UPDATE_CHANNEL_ERROR("UpdateChannel.Error", Protocol.MINING, 0x0000, 0x17, true, org.hyperhash.sv2.message.mining.UpdateChannelError.class),
    CLOSE_CHANNEL("CloseChannel", Protocol.MINING, 0x0000, 0x18, true, org.hyperhash.sv2.message.mining.CloseChannel.class),
    SET_EXTRANONCE_PREFIX("SetExtranoncePrefix", Protocol.MINING, 0x0000, 0x19, true, org.hyperhash.sv2.message.mining.SetExtranoncePrefix.class),
    SUBMIT_SHARES_STANDARD("SubmitSharesStandard", Protocol.MINING, 0x0000, 0x1a, true, org.hyperhash.sv2.message.mining.SubmitSharesStandard.class),
    SUBMIT_SHARES_EXTENDED("SubmitSharesExtended", Protocol.MINING, 0x0000, 0x1b, true, org.hyperhash.sv2.message.mining.SubmitSharesExtended.class),
    SUBMIT_SHARES_SUCCESS("SubmitShares.Success", Protocol.MINING, 0x0000, 0x1c, true, org.hyperhash.sv2.message.mining.SubmitSharesSuccess.class),
    SUBMIT_SHARES_ERROR("SubmitShares.Error", Protocol.MINING, 0x0000, 0x1d, true, org.hyperhash.sv2.message.mining.SubmitSharesError.class),
    NEW_EXTENDED_MINING_JOB("NewExtendedMiningJob", Protocol.MINING, 0x0000, 0x1f, true, org.hyperhash.sv2.message.mining.NewExtendedMiningJob.class),
    SET_NEW_PREV_HASH("SetNewPrevHash", Protocol.MINING, 0x0000, 0x20, true, org.hyperhash.sv2.message.mining.SetNewPrevHash.class),
    SET_TARGET("SetTarget", Protocol.MINING, 0x0000, 0x21, true, org.hyperhash.sv2.message.mining.SetTarget.class),
    SET_CUSTOM_MINING_JOB("SetCustomMiningJob", Protocol.MINING, 0x0000, 0x22, true, org.hyperhash.sv2.message.mining.SetCustomMiningJob.class),
    SET_CUSTOM_MINING_JOB_SUCCESS("SetCustomMiningJob.Success", Protocol.MINING, 0x0000, 0x23, true, org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess.class),
    SET_CUSTOM_MINING_JOB_ERROR("SetCustomMiningJob.Error", Protocol.MINING, 0x0000, 0x24, true, org.hyperhash.sv2.message.mining.SetCustomMiningJobError.class),
    SET_GROUP_CHANNEL("SetGroupChannel", Protocol.MINING, 0x0000, 0x25, false, org.hyperhash.sv2.message.mining.SetGroupChannel.class),
    ALLOCATE_MINING_JOB_TOKEN("AllocateMiningJobToken", Protocol.JOB_DECLARATION, 0x0000, 0x50, false, org.hyperhash.sv2.message.jd.AllocateMiningJobToken.class),
    ALLOCATE_MINING_JOB_TOKEN_SUCCESS("AllocateMiningJobToken.Success", Protocol.JOB_DECLARATION, 0x0000, 0x51, false, org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess.class),
    PROVIDE_MISSING_TRANSACTIONS("ProvideMissingTransactions", Protocol.JOB_DECLARATION, 0x0000, 0x55, false, org.hyperhash.sv2.message.jd.ProvideMissingTransactions.class),
    PROVIDE_MISSING_TRANSACTIONS_SUCCESS("ProvideMissingTransactions.Success", Protocol.JOB_DECLARATION, 0x0000, 0x56, false, org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess.class),
    DECLARE_MINING_JOB("DeclareMiningJob", Protocol.JOB_DECLARATION, 0x0000, 0x57, false, org.hyperhash.sv2.message.jd.DeclareMiningJob.class),
    DECLARE_MINING_JOB_SUCCESS("DeclareMiningJob.Success", Protocol.JOB_DECLARATION, 0x0000, 0x58, false, org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess.class),
    DECLARE_MINING_JOB_ERROR("DeclareMiningJob.Error", Protocol.JOB_DECLARATION, 0x0000, 0x59, false, org.hyperhash.sv2.message.jd.DeclareMiningJobError.class),
    PUSH_SOLUTION("PushSolution", Protocol.JOB_DECLARATION, 0x0000, 0x60, false, org.hyperhash.sv2.message.jd.PushSolution.class),
    COINBASE_OUTPUT_CONSTRAINTS("CoinbaseOutputConstraints", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x70, false, org.hyperhash.sv2.message.template.CoinbaseOutputConstraints.class),
    NEW_TEMPLATE("NewTemplate", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x71, false, org.hyperhash.sv2.message.template.NewTemplate.class),
    SET_NEW_PREV_HASH_TDP("SetNewPrevHash", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x72, false, org.hyperhash.sv2.message.template.SetNewPrevHash.class),
    REQUEST_TRANSACTION_DATA("RequestTransactionData", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x73, false, org.hyperhash.sv2.message.template.RequestTransactionData.class),
    REQUEST_TRANSACTION_DATA_SUCCESS("RequestTransactionData.Success", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x74, false, org.hyperhash.sv2.message.template.RequestTransactionDataSuccess.class),
    REQUEST_TRANSACTION_DATA_ERROR("RequestTransactionData.Error", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x75, false, org.hyperhash.sv2.message.template.RequestTransactionDataError.class),
    SUBMIT_SOLUTION("SubmitSolution", Protocol.TEMPLATE_DISTRIBUTION, 0x0000, 0x76, false, org.hyperhash.sv2.message.template.SubmitSolution.class),
    REQUEST_EXTENSIONS("RequestExtensions", Protocol.EXTENSIONS_NEGOTIATION, 0x0001, 0x00, false, org.hyperhash.sv2.message.extensions.RequestExtensions.class),
    REQUEST_EXTENSIONS_SUCCESS("RequestExtensions.Success", Protocol.EXTENSIONS_NEGOTIATION, 0x0001, 0x01, false, org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess.class),
    REQUEST_EXTENSIONS_ERROR("RequestExtensions.Error", Protocol.EXTENSIONS_NEGOTIATION, 0x0001, 0x02, false, org.hyperhash.sv2.message.extensions.RequestExtensionsError.class);

    /** Sub-protocols; the SetupConnection.protocol values are given where defined. */
    public enum Protocol {
        COMMON(-1), MINING(0), JOB_DECLARATION(1), TEMPLATE_DISTRIBUTION(2), EXTENSIONS_NEGOTIATION(-1);

        private final int setupId;

        Protocol(int setupId) {
            this.setupId = setupId;
        }

        /** The value of SetupConnection.protocol, or -1 when not a connection protocol. */
        public int setupId() {
            return setupId;
        }
    }

    public static final int CHANNEL_MSG_BIT = 0x8000;
    private static final MessageType[] CORE = new MessageType[256];
    private static final MessageType[] EXT1 = new MessageType[256];

    static {
        for (MessageType t : values()) {
            MessageType[] table = t.extensionType == 0 ? CORE : EXT1;
            if (table[t.msgType] != null) {
                throw new ExceptionInInitializerError("duplicate msg_type " + t);
            }
            table[t.msgType] = t;
        }
    }

    private final String specName;
    private final Protocol protocol;
    private final int extensionType;
    private final int msgType;
    private final boolean channelMsg;
    private final Class<? extends Sv2Message> recordClass;

    MessageType(String specName, Protocol protocol, int extensionType, int msgType, boolean channelMsg,
                Class<? extends Sv2Message> recordClass) {
        this.specName = specName;
        this.protocol = protocol;
        this.extensionType = extensionType;
        this.msgType = msgType;
        this.channelMsg = channelMsg;
        this.recordClass = recordClass;
    }

    public String specName() {
        return specName;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** extension_type without the channel_msg bit. */
    public int extensionType() {
        return extensionType;
    }

    public int msgType() {
        return msgType;
    }

    public boolean channelMsg() {
        return channelMsg;
    }

    /** The U16 written in the frame header: extension_type with bit 15 set for channel messages. */
    public int wireExtensionType() {
        return channelMsg ? extensionType | CHANNEL_MSG_BIT : extensionType;
    }

    public Class<? extends Sv2Message> recordClass() {
        return recordClass;
    }

    /**
     * Looks up a received (extension_type, msg_type); the channel bit is masked off. Returns null for
     * an unknown message (the caller decides: ignore, forward, or close).
     */
    public static MessageType lookup(int wireExtensionType, int msgType) {
        int ext = wireExtensionType & 0x7FFF;
        if (msgType < 0 || msgType > 255) {
            return null;
        }
        return switch (ext) {
            case 0 -> CORE[msgType];
            case 1 -> EXT1[msgType];
            default -> null;
        };
    }

    @Override
    public String toString() {
        return specName;
    }

    static MessageType[] all() {
        return Arrays.copyOf(values(), values().length);
    }
}
