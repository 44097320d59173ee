package org.hyperhash.sv2.codec;

import io.netty.buffer.ByteBuf;
import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.codec.Sv2DecodeException.Reason;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.framing.TlvCodec;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.ChannelEndpointChanged;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.extensions.RequestExtensionsError;
import org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess;
import org.hyperhash.sv2.message.jd.AllocateMiningJobToken;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.jd.DeclareMiningJobError;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactions;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.message.mining.CloseChannel;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobError;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetGroupChannel;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.message.mining.UpdateChannelError;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.RequestTransactionDataError;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SubmitSolution;

import java.util.List;
import java.util.OptionalInt;

import static org.hyperhash.sv2.binary.BinaryReader.readB016M;
import static org.hyperhash.sv2.binary.BinaryReader.readB0255;
import static org.hyperhash.sv2.binary.BinaryReader.readB032;
import static org.hyperhash.sv2.binary.BinaryReader.readB064K;
import static org.hyperhash.sv2.binary.BinaryReader.readBool;
import static org.hyperhash.sv2.binary.BinaryReader.readF32Le;
import static org.hyperhash.sv2.binary.BinaryReader.readOptionU32Le;
import static org.hyperhash.sv2.binary.BinaryReader.readSeq0255;
import static org.hyperhash.sv2.binary.BinaryReader.readSeq064K;
import static org.hyperhash.sv2.binary.BinaryReader.readStr0255;
import static org.hyperhash.sv2.binary.BinaryReader.readU16Le;
import static org.hyperhash.sv2.binary.BinaryReader.readU256Hash;
import static org.hyperhash.sv2.binary.BinaryReader.readU256Target;
import static org.hyperhash.sv2.binary.BinaryReader.readU32Le;
import static org.hyperhash.sv2.binary.BinaryReader.readU64Le;
import static org.hyperhash.sv2.binary.BinaryReader.readU8;
import static org.hyperhash.sv2.binary.BinaryWriter.writeB016M;
import static org.hyperhash.sv2.binary.BinaryWriter.writeB0255;
import static org.hyperhash.sv2.binary.BinaryWriter.writeB032;
import static org.hyperhash.sv2.binary.BinaryWriter.writeB064K;
import static org.hyperhash.sv2.binary.BinaryWriter.writeBool;
import static org.hyperhash.sv2.binary.BinaryWriter.writeF32Le;
import static org.hyperhash.sv2.binary.BinaryWriter.writeOptionU32Le;
import static org.hyperhash.sv2.binary.BinaryWriter.writeSeq0255;
import static org.hyperhash.sv2.binary.BinaryWriter.writeSeq064K;
import static org.hyperhash.sv2.binary.BinaryWriter.writeStr0255;
import static org.hyperhash.sv2.binary.BinaryWriter.writeU16Le;
import static org.hyperhash.sv2.binary.BinaryWriter.writeU256Hash;
import static org.hyperhash.sv2.binary.BinaryWriter.writeU256Target;
import static org.hyperhash.sv2.binary.BinaryWriter.writeU32Le;
import static org.hyperhash.sv2.binary.BinaryWriter.writeU64Le;
import static org.hyperhash.sv2.binary.BinaryWriter.writeU8;

/**
 * Encoder and decoder for all 44 SV2 messages of {@link MessageType}: one exhaustive switch each way,
 * hand-written field by field in spec order (no reflection). Payload layouts follow
 * sv2-protocol.md 4.2, 5.3, 6, 7 and 10. Special cases:
 * <ul>
 *   <li>CoinbaseOutputConstraints: a 4-byte payload is the legacy CoinbaseOutputDataSize form (no
 *       sigops), decoded with an empty sigops value and re-encoded as 4 bytes;</li>
 *   <li>SubmitSharesExtended: well-formed TLVs after the core fields are decoded into {@code tlvs}, whatever
 *       their type or length; a malformed tail (a partial TLV) is ignored, as SRI's TLV iterator does (spec:
 *       unexpected TLVs MUST be ignored). Whether a TLV is used is the application's decision (negotiated
 *       extensions, the 32-byte user_identity limit);</li>
 *   <li>NewTemplate.coinbase_tx_outputs is a B0_64K without a CompactSize count (the count is its own
 *       field).</li>
 * </ul>
 * Every other message must consume the payload exactly.
 */
@HotPath
public final class Sv2Codec {
    private static final int U256 = 32;

    private Sv2Codec() {
    }

    /**
     * Decodes a payload. The channel bit of {@code wireExtensionType} is ignored for dispatch (as SRI).
     *
     * @param wireExtensionType the frame's extension_type (channel bit may be set)
     * @param msgType the frame's msg_type
     * @param payload exactly the payload bytes; read (reader index advanced) but not released
     * @throws Sv2DecodeException unknown type, or a malformed field (the exception names message and field)
     */
    public static Sv2Message decode(int wireExtensionType, int msgType, ByteBuf payload) throws Sv2DecodeException {
        MessageType type = MessageType.lookup(wireExtensionType, msgType);
        if (type == null) {
            throw new Sv2DecodeException(null, "msg_type", Reason.UNKNOWN_MESSAGE,
                    String.format("unknown message extension_type=0x%04x msg_type=0x%02x", wireExtensionType & 0xFFFF, msgType));
        }
        return decode(type, payload);
    }

    /**
     * Decodes a payload whose strict decode failed with {@link Reason#INVALID_UTF8}: STR0_255 fields that are
     * not UTF-8 come out with U+FFFD replacement characters (so the record never re-encodes to the same bytes;
     * use it only to answer the message with its error). Other errors are thrown as by {@link #decode}.
     */
    public static Sv2Message decodeLossyStrings(MessageType type, ByteBuf payload) throws Sv2DecodeException {
        boolean[] lossy = org.hyperhash.sv2.binary.BinaryReader.LOSSY_STRINGS.get();
        lossy[0] = true;
        try {
            return decode(type, payload);
        } finally {
            lossy[0] = false;
        }
    }

    /** Decodes a payload of a known type; see {@link #decode(int, int, ByteBuf)}. */
    public static Sv2Message decode(MessageType type, ByteBuf payload) throws Sv2DecodeException {
        try {
            Sv2Message m = decodeFields(type, payload);
            if (payload.isReadable()) {
                throw new Sv2DecodeException(type.specName(), "payload", Reason.TRAILING_BYTES,
                        payload.readableBytes() + " unexpected bytes after the last field");
            }
            return m;
        } catch (Sv2DecodeException e) {
            throw e.inMessage(type.specName());
        } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException | NullPointerException e) {
            // Safety net: the readers check bounds first, so this signals a reader bug; still a typed error.
            throw new Sv2DecodeException(type.specName(), "payload", Reason.INVALID_VALUE,
                    "rejected: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Decodes a whole plaintext frame (6-byte header + payload), e.g. from {@code FrameDecoder}.
     * msg_length must match the bytes that follow exactly.
     */
    public static Sv2Message decodeFrame(ByteBuf frame) throws Sv2DecodeException {
        FrameHeader h = FrameHeader.read(frame);
        if (frame.readableBytes() != h.msgLength()) {
            throw new Sv2DecodeException("frame", "msg_length", Reason.TRUNCATED,
                    "msg_length " + h.msgLength() + " but " + frame.readableBytes() + " payload bytes");
        }
        return decode(h.extensionType(), h.msgType(), frame);
    }

    /** Writes the payload of {@code m} (no header). */
    public static void encode(Sv2Message m, ByteBuf out) {
        encodeFields(m, out);
    }

    /**
     * Writes the 6-byte header and the payload of {@code m}; the channel_msg bit is set per
     * {@link MessageType#channelMsg()}.
     *
     * @throws IllegalArgumentException if the payload exceeds 2^24-1 bytes (nothing usable is written)
     */
    public static void encodeFrame(Sv2Message m, ByteBuf out) {
        MessageType t = m.type();
        int headerIndex = out.writerIndex();
        FrameHeader.write(out, t.wireExtensionType(), t.msgType(), 0);
        encodeFields(m, out);
        int len = out.writerIndex() - headerIndex - FrameHeader.SIZE;
        if (len > FrameHeader.MAX_MSG_LENGTH) {
            out.writerIndex(headerIndex);
            throw new IllegalArgumentException(t.specName() + " payload of " + len + " bytes exceeds msg_length U24");
        }
        out.setMediumLE(headerIndex + 3, len);
    }

    // ---------------------------------------------------------------------------------------------
    // decode

    private static Sv2Message decodeFields(MessageType type, ByteBuf in) throws Sv2DecodeException {
        return switch (type) {
            // common
            case SETUP_CONNECTION -> new SetupConnection(
                    readU8(in, "protocol"),
                    readU16Le(in, "min_version"),
                    readU16Le(in, "max_version"),
                    readU32Le(in, "flags"),
                    readStr0255(in, "endpoint_host"),
                    readU16Le(in, "endpoint_port"),
                    readStr0255(in, "vendor"),
                    readStr0255(in, "hardware_version"),
                    readStr0255(in, "firmware"),
                    readStr0255(in, "device_id"));
            case SETUP_CONNECTION_SUCCESS -> new SetupConnectionSuccess(
                    readU16Le(in, "used_version"),
                    readU32Le(in, "flags"));
            case SETUP_CONNECTION_ERROR -> new SetupConnectionError(
                    readU32Le(in, "flags"),
                    readStr0255(in, "error_code"));
            case CHANNEL_ENDPOINT_CHANGED -> new ChannelEndpointChanged(
                    readU32Le(in, "channel_id"));
            case RECONNECT -> new Reconnect(
                    readStr0255(in, "new_host"),
                    readU16Le(in, "new_port"));
            // mining
            case OPEN_STANDARD_MINING_CHANNEL -> new OpenStandardMiningChannel(
                    readU32Le(in, "request_id"),
                    readStr0255(in, "user_identity"),
                    readF32Le(in, "nominal_hash_rate"),
                    readU256Target(in, "max_target"));
            case OPEN_STANDARD_MINING_CHANNEL_SUCCESS -> new OpenStandardMiningChannelSuccess(
                    readU32Le(in, "request_id"),
                    readU32Le(in, "channel_id"),
                    readU256Target(in, "target"),
                    readB032(in, "extranonce_prefix"),
                    readU32Le(in, "group_channel_id"));
            case OPEN_MINING_CHANNEL_ERROR -> new OpenMiningChannelError(
                    readU32Le(in, "request_id"),
                    readStr0255(in, "error_code"));
            case OPEN_EXTENDED_MINING_CHANNEL -> new OpenExtendedMiningChannel(
                    readU32Le(in, "request_id"),
                    readStr0255(in, "user_identity"),
                    readF32Le(in, "nominal_hash_rate"),
                    readU256Target(in, "max_target"),
                    readU16Le(in, "min_extranonce_size"));
            case OPEN_EXTENDED_MINING_CHANNEL_SUCCESS -> new OpenExtendedMiningChannelSuccess(
                    readU32Le(in, "request_id"),
                    readU32Le(in, "channel_id"),
                    readU256Target(in, "target"),
                    readU16Le(in, "extranonce_size"),
                    readB032(in, "extranonce_prefix"),
                    readU32Le(in, "group_channel_id"));
            case NEW_MINING_JOB -> new NewMiningJob(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "job_id"),
                    readOptionU32Le(in, "min_ntime"),
                    readU32Le(in, "version"),
                    readU256Hash(in, "merkle_root"));
            case UPDATE_CHANNEL -> new UpdateChannel(
                    readU32Le(in, "channel_id"),
                    readF32Le(in, "nominal_hash_rate"),
                    readU256Target(in, "maximum_target"));
            case UPDATE_CHANNEL_ERROR -> new UpdateChannelError(
                    readU32Le(in, "channel_id"),
                    readStr0255(in, "error_code"));
            case CLOSE_CHANNEL -> new CloseChannel(
                    readU32Le(in, "channel_id"),
                    readStr0255(in, "reason_code"));
            case SET_EXTRANONCE_PREFIX -> new SetExtranoncePrefix(
                    readU32Le(in, "channel_id"),
                    readB032(in, "extranonce_prefix"));
            case SUBMIT_SHARES_STANDARD -> new SubmitSharesStandard(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "sequence_number"),
                    readU32Le(in, "job_id"),
                    readU32Le(in, "nonce"),
                    readU32Le(in, "ntime"),
                    readU32Le(in, "version"));
            case SUBMIT_SHARES_EXTENDED -> new SubmitSharesExtended(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "sequence_number"),
                    readU32Le(in, "job_id"),
                    readU32Le(in, "nonce"),
                    readU32Le(in, "ntime"),
                    readU32Le(in, "version"),
                    readB032(in, "extranonce"),
                    TlvCodec.decodeLenient(in));
            case SUBMIT_SHARES_SUCCESS -> new SubmitSharesSuccess(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "last_sequence_number"),
                    readU32Le(in, "new_submits_accepted_count"),
                    readU64Le(in, "new_shares_sum"));
            case SUBMIT_SHARES_ERROR -> new SubmitSharesError(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "sequence_number"),
                    readStr0255(in, "error_code"));
            case NEW_EXTENDED_MINING_JOB -> new NewExtendedMiningJob(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "job_id"),
                    readOptionU32Le(in, "min_ntime"),
                    readU32Le(in, "version"),
                    readBool(in, "version_rolling_allowed"),
                    readSeq0255(in, "merkle_path", U256, org.hyperhash.sv2.binary.BinaryReader::hashElement),
                    readB064K(in, "coinbase_tx_prefix"),
                    readB064K(in, "coinbase_tx_suffix"));
            case SET_NEW_PREV_HASH -> new org.hyperhash.sv2.message.mining.SetNewPrevHash(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "job_id"),
                    readU256Hash(in, "prev_hash"),
                    readU32Le(in, "min_ntime"),
                    readU32Le(in, "nbits"));
            case SET_TARGET -> new SetTarget(
                    readU32Le(in, "channel_id"),
                    readU256Target(in, "maximum_target"));
            case SET_CUSTOM_MINING_JOB -> new SetCustomMiningJob(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "request_id"),
                    readB0255(in, "mining_job_token"),
                    readU32Le(in, "version"),
                    readU256Hash(in, "prev_hash"),
                    readU32Le(in, "min_ntime"),
                    readU32Le(in, "nbits"),
                    readU32Le(in, "coinbase_tx_version"),
                    readB0255(in, "coinbase_prefix"),
                    readU32Le(in, "coinbase_tx_input_n_sequence"),
                    readB064K(in, "coinbase_tx_outputs"),
                    readU32Le(in, "coinbase_tx_locktime"),
                    readSeq0255(in, "merkle_path", U256, org.hyperhash.sv2.binary.BinaryReader::hashElement));
            case SET_CUSTOM_MINING_JOB_SUCCESS -> new SetCustomMiningJobSuccess(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "request_id"),
                    readU32Le(in, "job_id"));
            case SET_CUSTOM_MINING_JOB_ERROR -> new SetCustomMiningJobError(
                    readU32Le(in, "channel_id"),
                    readU32Le(in, "request_id"),
                    readStr0255(in, "error_code"));
            case SET_GROUP_CHANNEL -> new SetGroupChannel(
                    readU32Le(in, "group_channel_id"),
                    readSeq064K(in, "channel_ids", 4, org.hyperhash.sv2.binary.BinaryReader::u32Element));
            // job declaration
            case ALLOCATE_MINING_JOB_TOKEN -> new AllocateMiningJobToken(
                    readStr0255(in, "user_identifier"),
                    readU32Le(in, "request_id"));
            case ALLOCATE_MINING_JOB_TOKEN_SUCCESS -> new AllocateMiningJobTokenSuccess(
                    readU32Le(in, "request_id"),
                    readB0255(in, "mining_job_token"),
                    readB064K(in, "coinbase_tx_outputs"));
            case PROVIDE_MISSING_TRANSACTIONS -> new ProvideMissingTransactions(
                    readU32Le(in, "request_id"),
                    readSeq064K(in, "unknown_tx_position_list", 2, org.hyperhash.sv2.binary.BinaryReader::u16Element));
            case PROVIDE_MISSING_TRANSACTIONS_SUCCESS -> new ProvideMissingTransactionsSuccess(
                    readU32Le(in, "request_id"),
                    readSeq064K(in, "transaction_list", 3, org.hyperhash.sv2.binary.BinaryReader::b016MElement));
            case DECLARE_MINING_JOB -> new DeclareMiningJob(
                    readU32Le(in, "request_id"),
                    readB0255(in, "mining_job_token"),
                    readU32Le(in, "version"),
                    readB064K(in, "coinbase_tx_prefix"),
                    readB064K(in, "coinbase_tx_suffix"),
                    readSeq064K(in, "wtxid_list", U256, org.hyperhash.sv2.binary.BinaryReader::hashElement),
                    readB064K(in, "excess_data"));
            case DECLARE_MINING_JOB_SUCCESS -> new DeclareMiningJobSuccess(
                    readU32Le(in, "request_id"),
                    readB0255(in, "new_mining_job_token"));
            case DECLARE_MINING_JOB_ERROR -> new DeclareMiningJobError(
                    readU32Le(in, "request_id"),
                    readStr0255(in, "error_code"),
                    readB064K(in, "error_details"));
            case PUSH_SOLUTION -> new PushSolution(
                    readB032(in, "extranonce"),
                    readU256Hash(in, "prev_hash"),
                    readU32Le(in, "nonce"),
                    readU32Le(in, "ntime"),
                    readU32Le(in, "nbits"),
                    readU32Le(in, "version"));
            // template distribution
            case COINBASE_OUTPUT_CONSTRAINTS -> decodeCoinbaseOutputConstraints(in);
            case NEW_TEMPLATE -> new NewTemplate(
                    readU64Le(in, "template_id"),
                    readBool(in, "future_template"),
                    readU32Le(in, "version"),
                    readU32Le(in, "coinbase_tx_version"),
                    readB0255(in, "coinbase_prefix"),
                    readU32Le(in, "coinbase_tx_input_sequence"),
                    readU64Le(in, "coinbase_tx_value_remaining"),
                    readU32Le(in, "coinbase_tx_outputs_count"),
                    readB064K(in, "coinbase_tx_outputs"),
                    readU32Le(in, "coinbase_tx_locktime"),
                    readSeq0255(in, "merkle_path", U256, org.hyperhash.sv2.binary.BinaryReader::hashElement));
            case SET_NEW_PREV_HASH_TDP -> new org.hyperhash.sv2.message.template.SetNewPrevHash(
                    readU64Le(in, "template_id"),
                    readU256Hash(in, "prev_hash"),
                    readU32Le(in, "header_timestamp"),
                    readU32Le(in, "n_bits"),
                    readU256Target(in, "target"));
            case REQUEST_TRANSACTION_DATA -> new RequestTransactionData(
                    readU64Le(in, "template_id"));
            case REQUEST_TRANSACTION_DATA_SUCCESS -> new RequestTransactionDataSuccess(
                    readU64Le(in, "template_id"),
                    readB064K(in, "excess_data"),
                    readSeq064K(in, "transaction_list", 3, org.hyperhash.sv2.binary.BinaryReader::b016MElement));
            case REQUEST_TRANSACTION_DATA_ERROR -> new RequestTransactionDataError(
                    readU64Le(in, "template_id"),
                    readStr0255(in, "error_code"));
            case SUBMIT_SOLUTION -> new SubmitSolution(
                    readU64Le(in, "template_id"),
                    readU32Le(in, "version"),
                    readU32Le(in, "header_timestamp"),
                    readU32Le(in, "header_nonce"),
                    readB064K(in, "coinbase_tx"));
            // extension 0x0001
            case REQUEST_EXTENSIONS -> new RequestExtensions(
                    readU16Le(in, "request_id"),
                    readSeq064K(in, "requested_extensions", 2, org.hyperhash.sv2.binary.BinaryReader::u16Element));
            case REQUEST_EXTENSIONS_SUCCESS -> new RequestExtensionsSuccess(
                    readU16Le(in, "request_id"),
                    readSeq064K(in, "supported_extensions", 2, org.hyperhash.sv2.binary.BinaryReader::u16Element));
            case REQUEST_EXTENSIONS_ERROR -> new RequestExtensionsError(
                    readU16Le(in, "request_id"),
                    readSeq064K(in, "unsupported_extensions", 2, org.hyperhash.sv2.binary.BinaryReader::u16Element),
                    readSeq064K(in, "required_extensions", 2, org.hyperhash.sv2.binary.BinaryReader::u16Element));
        };
    }

    private static CoinbaseOutputConstraints decodeCoinbaseOutputConstraints(ByteBuf in) throws Sv2DecodeException {
        int size = readU32Le(in, "coinbase_output_max_additional_size");
        if (!in.isReadable()) {
            // legacy CoinbaseOutputDataSize (4 bytes): accepted as sv2-tp does
            return new CoinbaseOutputConstraints(size, OptionalInt.empty());
        }
        return new CoinbaseOutputConstraints(size, OptionalInt.of(readU16Le(in, "coinbase_output_max_additional_sigops")));
    }

    // ---------------------------------------------------------------------------------------------
    // encode

    private static void encodeFields(Sv2Message msg, ByteBuf out) {
        switch (msg.type()) {
            // common
            case SETUP_CONNECTION -> {
                SetupConnection m = (SetupConnection) msg;
                writeU8(out, "protocol", m.protocol());
                writeU16Le(out, "min_version", m.minVersion());
                writeU16Le(out, "max_version", m.maxVersion());
                writeU32Le(out, m.flags());
                writeStr0255(out, "endpoint_host", m.endpointHost());
                writeU16Le(out, "endpoint_port", m.endpointPort());
                writeStr0255(out, "vendor", m.vendor());
                writeStr0255(out, "hardware_version", m.hardwareVersion());
                writeStr0255(out, "firmware", m.firmware());
                writeStr0255(out, "device_id", m.deviceId());
            }
            case SETUP_CONNECTION_SUCCESS -> {
                SetupConnectionSuccess m = (SetupConnectionSuccess) msg;
                writeU16Le(out, "used_version", m.usedVersion());
                writeU32Le(out, m.flags());
            }
            case SETUP_CONNECTION_ERROR -> {
                SetupConnectionError m = (SetupConnectionError) msg;
                writeU32Le(out, m.flags());
                writeStr0255(out, "error_code", m.errorCode());
            }
            case CHANNEL_ENDPOINT_CHANGED -> writeU32Le(out, ((ChannelEndpointChanged) msg).channelId());
            case RECONNECT -> {
                Reconnect m = (Reconnect) msg;
                writeStr0255(out, "new_host", m.newHost());
                writeU16Le(out, "new_port", m.newPort());
            }
            // mining
            case OPEN_STANDARD_MINING_CHANNEL -> {
                OpenStandardMiningChannel m = (OpenStandardMiningChannel) msg;
                writeU32Le(out, m.requestId());
                writeStr0255(out, "user_identity", m.userIdentity());
                writeF32Le(out, m.nominalHashRate());
                writeU256Target(out, m.maxTarget());
            }
            case OPEN_STANDARD_MINING_CHANNEL_SUCCESS -> {
                OpenStandardMiningChannelSuccess m = (OpenStandardMiningChannelSuccess) msg;
                writeU32Le(out, m.requestId());
                writeU32Le(out, m.channelId());
                writeU256Target(out, m.target());
                writeB032(out, "extranonce_prefix", m.extranoncePrefix());
                writeU32Le(out, m.groupChannelId());
            }
            case OPEN_MINING_CHANNEL_ERROR -> {
                OpenMiningChannelError m = (OpenMiningChannelError) msg;
                writeU32Le(out, m.requestId());
                writeStr0255(out, "error_code", m.errorCode());
            }
            case OPEN_EXTENDED_MINING_CHANNEL -> {
                OpenExtendedMiningChannel m = (OpenExtendedMiningChannel) msg;
                writeU32Le(out, m.requestId());
                writeStr0255(out, "user_identity", m.userIdentity());
                writeF32Le(out, m.nominalHashRate());
                writeU256Target(out, m.maxTarget());
                writeU16Le(out, "min_extranonce_size", m.minExtranonceSize());
            }
            case OPEN_EXTENDED_MINING_CHANNEL_SUCCESS -> {
                OpenExtendedMiningChannelSuccess m = (OpenExtendedMiningChannelSuccess) msg;
                writeU32Le(out, m.requestId());
                writeU32Le(out, m.channelId());
                writeU256Target(out, m.target());
                writeU16Le(out, "extranonce_size", m.extranonceSize());
                writeB032(out, "extranonce_prefix", m.extranoncePrefix());
                writeU32Le(out, m.groupChannelId());
            }
            case NEW_MINING_JOB -> {
                NewMiningJob m = (NewMiningJob) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.jobId());
                writeOptionU32Le(out, m.minNtime());
                writeU32Le(out, m.version());
                writeU256Hash(out, m.merkleRoot());
            }
            case UPDATE_CHANNEL -> {
                UpdateChannel m = (UpdateChannel) msg;
                writeU32Le(out, m.channelId());
                writeF32Le(out, m.nominalHashRate());
                writeU256Target(out, m.maximumTarget());
            }
            case UPDATE_CHANNEL_ERROR -> {
                UpdateChannelError m = (UpdateChannelError) msg;
                writeU32Le(out, m.channelId());
                writeStr0255(out, "error_code", m.errorCode());
            }
            case CLOSE_CHANNEL -> {
                CloseChannel m = (CloseChannel) msg;
                writeU32Le(out, m.channelId());
                writeStr0255(out, "reason_code", m.reasonCode());
            }
            case SET_EXTRANONCE_PREFIX -> {
                SetExtranoncePrefix m = (SetExtranoncePrefix) msg;
                writeU32Le(out, m.channelId());
                writeB032(out, "extranonce_prefix", m.extranoncePrefix());
            }
            case SUBMIT_SHARES_STANDARD -> {
                SubmitSharesStandard m = (SubmitSharesStandard) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.sequenceNumber());
                writeU32Le(out, m.jobId());
                writeU32Le(out, m.nonce());
                writeU32Le(out, m.ntime());
                writeU32Le(out, m.version());
            }
            case SUBMIT_SHARES_EXTENDED -> {
                SubmitSharesExtended m = (SubmitSharesExtended) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.sequenceNumber());
                writeU32Le(out, m.jobId());
                writeU32Le(out, m.nonce());
                writeU32Le(out, m.ntime());
                writeU32Le(out, m.version());
                writeB032(out, "extranonce", m.extranonce());
                TlvCodec.encodeAll(m.tlvs(), out);
            }
            case SUBMIT_SHARES_SUCCESS -> {
                SubmitSharesSuccess m = (SubmitSharesSuccess) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.lastSequenceNumber());
                writeU32Le(out, m.newSubmitsAcceptedCount());
                writeU64Le(out, m.newSharesSum());
            }
            case SUBMIT_SHARES_ERROR -> {
                SubmitSharesError m = (SubmitSharesError) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.sequenceNumber());
                writeStr0255(out, "error_code", m.errorCode());
            }
            case NEW_EXTENDED_MINING_JOB -> {
                NewExtendedMiningJob m = (NewExtendedMiningJob) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.jobId());
                writeOptionU32Le(out, m.minNtime());
                writeU32Le(out, m.version());
                writeBool(out, m.versionRollingAllowed());
                writeSeq0255(out, "merkle_path", m.merklePath(), org.hyperhash.sv2.binary.BinaryWriter::hashElement);
                writeB064K(out, "coinbase_tx_prefix", m.coinbaseTxPrefix());
                writeB064K(out, "coinbase_tx_suffix", m.coinbaseTxSuffix());
            }
            case SET_NEW_PREV_HASH -> {
                org.hyperhash.sv2.message.mining.SetNewPrevHash m = (org.hyperhash.sv2.message.mining.SetNewPrevHash) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.jobId());
                writeU256Hash(out, m.prevHash());
                writeU32Le(out, m.minNtime());
                writeU32Le(out, m.nbits());
            }
            case SET_TARGET -> {
                SetTarget m = (SetTarget) msg;
                writeU32Le(out, m.channelId());
                writeU256Target(out, m.maximumTarget());
            }
            case SET_CUSTOM_MINING_JOB -> {
                SetCustomMiningJob m = (SetCustomMiningJob) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.requestId());
                writeB0255(out, "mining_job_token", m.miningJobToken());
                writeU32Le(out, m.version());
                writeU256Hash(out, m.prevHash());
                writeU32Le(out, m.minNtime());
                writeU32Le(out, m.nbits());
                writeU32Le(out, m.coinbaseTxVersion());
                writeB0255(out, "coinbase_prefix", m.coinbasePrefix());
                writeU32Le(out, m.coinbaseTxInputNSequence());
                writeB064K(out, "coinbase_tx_outputs", m.coinbaseTxOutputs());
                writeU32Le(out, m.coinbaseTxLocktime());
                writeSeq0255(out, "merkle_path", m.merklePath(), org.hyperhash.sv2.binary.BinaryWriter::hashElement);
            }
            case SET_CUSTOM_MINING_JOB_SUCCESS -> {
                SetCustomMiningJobSuccess m = (SetCustomMiningJobSuccess) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.requestId());
                writeU32Le(out, m.jobId());
            }
            case SET_CUSTOM_MINING_JOB_ERROR -> {
                SetCustomMiningJobError m = (SetCustomMiningJobError) msg;
                writeU32Le(out, m.channelId());
                writeU32Le(out, m.requestId());
                writeStr0255(out, "error_code", m.errorCode());
            }
            case SET_GROUP_CHANNEL -> {
                SetGroupChannel m = (SetGroupChannel) msg;
                writeU32Le(out, m.groupChannelId());
                writeSeq064K(out, "channel_ids", m.channelIds(), org.hyperhash.sv2.binary.BinaryWriter::u32Element);
            }
            // job declaration
            case ALLOCATE_MINING_JOB_TOKEN -> {
                AllocateMiningJobToken m = (AllocateMiningJobToken) msg;
                writeStr0255(out, "user_identifier", m.userIdentifier());
                writeU32Le(out, m.requestId());
            }
            case ALLOCATE_MINING_JOB_TOKEN_SUCCESS -> {
                AllocateMiningJobTokenSuccess m = (AllocateMiningJobTokenSuccess) msg;
                writeU32Le(out, m.requestId());
                writeB0255(out, "mining_job_token", m.miningJobToken());
                writeB064K(out, "coinbase_tx_outputs", m.coinbaseTxOutputs());
            }
            case PROVIDE_MISSING_TRANSACTIONS -> {
                ProvideMissingTransactions m = (ProvideMissingTransactions) msg;
                writeU32Le(out, m.requestId());
                writeSeq064K(out, "unknown_tx_position_list", m.unknownTxPositionList(),
                        org.hyperhash.sv2.binary.BinaryWriter::u16Element);
            }
            case PROVIDE_MISSING_TRANSACTIONS_SUCCESS -> {
                ProvideMissingTransactionsSuccess m = (ProvideMissingTransactionsSuccess) msg;
                writeU32Le(out, m.requestId());
                writeSeq064K(out, "transaction_list", m.transactionList(), org.hyperhash.sv2.binary.BinaryWriter::b016MElement);
            }
            case DECLARE_MINING_JOB -> {
                DeclareMiningJob m = (DeclareMiningJob) msg;
                writeU32Le(out, m.requestId());
                writeB0255(out, "mining_job_token", m.miningJobToken());
                writeU32Le(out, m.version());
                writeB064K(out, "coinbase_tx_prefix", m.coinbaseTxPrefix());
                writeB064K(out, "coinbase_tx_suffix", m.coinbaseTxSuffix());
                writeSeq064K(out, "wtxid_list", m.wtxidList(), org.hyperhash.sv2.binary.BinaryWriter::hashElement);
                writeB064K(out, "excess_data", m.excessData());
            }
            case DECLARE_MINING_JOB_SUCCESS -> {
                DeclareMiningJobSuccess m = (DeclareMiningJobSuccess) msg;
                writeU32Le(out, m.requestId());
                writeB0255(out, "new_mining_job_token", m.newMiningJobToken());
            }
            case DECLARE_MINING_JOB_ERROR -> {
                DeclareMiningJobError m = (DeclareMiningJobError) msg;
                writeU32Le(out, m.requestId());
                writeStr0255(out, "error_code", m.errorCode());
                writeB064K(out, "error_details", m.errorDetails());
            }
            case PUSH_SOLUTION -> {
                PushSolution m = (PushSolution) msg;
                writeB032(out, "extranonce", m.extranonce());
                writeU256Hash(out, m.prevHash());
                writeU32Le(out, m.nonce());
                writeU32Le(out, m.ntime());
                writeU32Le(out, m.nbits());
                writeU32Le(out, m.version());
            }
            // template distribution
            case COINBASE_OUTPUT_CONSTRAINTS -> {
                CoinbaseOutputConstraints m = (CoinbaseOutputConstraints) msg;
                writeU32Le(out, m.coinbaseOutputMaxAdditionalSize());
                if (m.coinbaseOutputMaxAdditionalSigops().isPresent()) {
                    writeU16Le(out, "coinbase_output_max_additional_sigops", m.coinbaseOutputMaxAdditionalSigops().getAsInt());
                }
            }
            case NEW_TEMPLATE -> {
                NewTemplate m = (NewTemplate) msg;
                writeU64Le(out, m.templateId());
                writeBool(out, m.futureTemplate());
                writeU32Le(out, m.version());
                writeU32Le(out, m.coinbaseTxVersion());
                writeB0255(out, "coinbase_prefix", m.coinbasePrefix());
                writeU32Le(out, m.coinbaseTxInputSequence());
                writeU64Le(out, m.coinbaseTxValueRemaining());
                writeU32Le(out, m.coinbaseTxOutputsCount());
                writeB064K(out, "coinbase_tx_outputs", m.coinbaseTxOutputs());
                writeU32Le(out, m.coinbaseTxLocktime());
                writeSeq0255(out, "merkle_path", m.merklePath(), org.hyperhash.sv2.binary.BinaryWriter::hashElement);
            }
            case SET_NEW_PREV_HASH_TDP -> {
                org.hyperhash.sv2.message.template.SetNewPrevHash m = (org.hyperhash.sv2.message.template.SetNewPrevHash) msg;
                writeU64Le(out, m.templateId());
                writeU256Hash(out, m.prevHash());
                writeU32Le(out, m.headerTimestamp());
                writeU32Le(out, m.nBits());
                writeU256Target(out, m.target());
            }
            case REQUEST_TRANSACTION_DATA -> writeU64Le(out, ((RequestTransactionData) msg).templateId());
            case REQUEST_TRANSACTION_DATA_SUCCESS -> {
                RequestTransactionDataSuccess m = (RequestTransactionDataSuccess) msg;
                writeU64Le(out, m.templateId());
                writeB064K(out, "excess_data", m.excessData());
                writeSeq064K(out, "transaction_list", m.transactionList(), org.hyperhash.sv2.binary.BinaryWriter::b016MElement);
            }
            case REQUEST_TRANSACTION_DATA_ERROR -> {
                RequestTransactionDataError m = (RequestTransactionDataError) msg;
                writeU64Le(out, m.templateId());
                writeStr0255(out, "error_code", m.errorCode());
            }
            case SUBMIT_SOLUTION -> {
                SubmitSolution m = (SubmitSolution) msg;
                writeU64Le(out, m.templateId());
                writeU32Le(out, m.version());
                writeU32Le(out, m.headerTimestamp());
                writeU32Le(out, m.headerNonce());
                writeB064K(out, "coinbase_tx", m.coinbaseTx());
            }
            // extension 0x0001
            case REQUEST_EXTENSIONS -> {
                RequestExtensions m = (RequestExtensions) msg;
                writeU16Le(out, "request_id", m.requestId());
                writeSeq064K(out, "requested_extensions", m.requestedExtensions(), org.hyperhash.sv2.binary.BinaryWriter::u16Element);
            }
            case REQUEST_EXTENSIONS_SUCCESS -> {
                RequestExtensionsSuccess m = (RequestExtensionsSuccess) msg;
                writeU16Le(out, "request_id", m.requestId());
                writeSeq064K(out, "supported_extensions", m.supportedExtensions(), org.hyperhash.sv2.binary.BinaryWriter::u16Element);
            }
            case REQUEST_EXTENSIONS_ERROR -> {
                RequestExtensionsError m = (RequestExtensionsError) msg;
                writeU16Le(out, "request_id", m.requestId());
                writeSeq064K(out, "unsupported_extensions", m.unsupportedExtensions(), org.hyperhash.sv2.binary.BinaryWriter::u16Element);
                writeSeq064K(out, "required_extensions", m.requiredExtensions(), org.hyperhash.sv2.binary.BinaryWriter::u16Element);
            }
        }
    }

    /** All message types this codec handles (every {@link MessageType}). */
    public static List<MessageType> supportedTypes() {
        return List.of(MessageType.values());
    }
}
