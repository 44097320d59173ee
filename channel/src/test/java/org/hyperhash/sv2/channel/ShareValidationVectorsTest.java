package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

/** Every case of sv2_share_validation.json through ExtendedChannel / StandardChannel. */
class ShareValidationVectorsTest {

    static final JsonNode ROOT = Vectors.json("sv2_share_validation.json");

    static JsonNode kase(String id) {
        for (JsonNode c : ROOT.get("cases")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError(id);
    }

    static TxOut poolOutput() {
        JsonNode r = ROOT.get("pool_reward_output");
        return new TxOut(r.get("value_sats").asLong(), Bytes.fromHex(r.get("script_pubkey_hex").asText()));
    }

    static NewTemplate template(JsonNode t) {
        List<Hash256> path = new ArrayList<>();
        t.get("merkle_path").forEach(n -> path.add(Hash256.fromWireHex(n.asText())));
        return new NewTemplate(t.get("template_id").asLong(), t.get("future_template").asBoolean(), t.get("version").asInt(),
                t.get("coinbase_tx_version").asInt(), Bytes.fromHex(t.get("coinbase_prefix").asText()),
                (int) t.get("coinbase_tx_input_sequence").asLong(), t.get("coinbase_tx_value_remaining").asLong(),
                t.get("coinbase_tx_outputs_count").asInt(), Bytes.fromHex(t.get("coinbase_tx_outputs").asText()),
                (int) t.get("coinbase_tx_locktime").asLong(), path);
    }

    static ChainTip tip(JsonNode c) {
        JsonNode tip = c.get("chain_tip");
        return ChainTip.of(c.get("template").get("template_id").asLong(), Hash256.fromWireHex(tip.get("prev_hash").asText()),
                (int) tip.get("min_ntime").asLong(), tip.get("nbits").asInt());
    }

    static JobTemplate job(JsonNode c, int fullExtranonceSize) throws Exception {
        return new JobFactory("", "").build(template(c.get("template")), List.of(poolOutput()), fullExtranonceSize);
    }

    /** A channel exactly as the upstream test sets it up. */
    static ServerChannel channel(JsonNode c) {
        JsonNode ch = c.get("channel");
        Bytes prefix = Bytes.fromHex(ch.get("extranonce_prefix").asText());
        int rollable = ch.get("rollable_extranonce_size").asInt();
        ChannelConfig cfg = ChannelConfig.defaults().withSharesPerMinute(ch.get("shares_per_minute").asDouble());
        Target target = Targets.fromNominalHashrate(ch.get("nominal_hashrate_hs").asDouble(), cfg.sharesPerMinute());
        ExtranonceAllocation a = new ExtranonceAllocation(0, prefix, rollable);
        return c.get("channel_type").asText().equals("extended")
                ? new ExtendedChannel(1, "user", cfg, null, null, a, target, Target.MAX, 0)
                : new StandardChannel(1, "user", cfg, null, null, a, target, Target.MAX, 0);
    }

    static ShareResult submit(ServerChannel ch, JsonNode share, int seq) {
        Instant now = Instant.ofEpochSecond(share.get("ntime").asLong());
        if (ch instanceof ExtendedChannel e) {
            return e.onShare(new SubmitSharesExtended(share.get("channel_id").asInt(), seq, share.get("job_id").asInt(),
                    (int) share.get("nonce").asLong(), (int) share.get("ntime").asLong(), share.get("version").asInt(),
                    Bytes.fromHex(share.get("extranonce").asText()), List.of()), now);
        }
        return ((StandardChannel) ch).onShare(new SubmitSharesStandard(share.get("channel_id").asInt(), seq,
                share.get("job_id").asInt(), (int) share.get("nonce").asLong(), (int) share.get("ntime").asLong(),
                share.get("version").asInt()), now);
    }

    /** Opens the channel on the case's template and tip; checks the job bytes against the vector. */
    static ServerChannel started(JsonNode c) throws Exception {
        ServerChannel ch = channel(c);
        JsonNode comp = c.get("computed");
        assertEquals(Target.fromBeHex(comp.get("channel_target_be").asText()), ch.target());
        JobTemplate jt = job(c, ch.fullExtranonceSize());
        assertEquals(comp.get("coinbase_tx_prefix_stripped").asText(), jt.coinbaseTxPrefix().toHex());
        assertEquals(comp.get("coinbase_tx_suffix_stripped").asText(), jt.coinbaseTxSuffix().toHex());
        assertTrue(jt.segwit());
        List<Sv2Message> opening = ch.start(jt, tip(c));
        assertEquals(2, opening.size());
        SetNewPrevHash snph = (SetNewPrevHash) opening.get(1);
        assertEquals(c.get("share").get("job_id").asInt(), snph.jobId());
        assertEquals(c.get("chain_tip").get("prev_hash").asText(), snph.prevHash().toWireHex());
        if (opening.getFirst() instanceof NewExtendedMiningJob j) {
            assertTrue(j.minNtime().isEmpty());
            assertEquals(jt.coinbaseTxPrefix(), j.coinbaseTxPrefix());
            assertTrue(j.versionRollingAllowed());
        } else {
            NewMiningJob j = (NewMiningJob) opening.getFirst();
            assertEquals(comp.get("merkle_root_raw").asText(), j.merkleRoot().toWireHex());
        }
        return ch;
    }

    @Test
    void everyCase() throws Exception {
        int n = 0;
        for (JsonNode c : ROOT.get("cases")) {
            String id = c.get("id").asText();
            ServerChannel ch = started(c);
            JsonNode comp = c.get("computed");
            JsonNode share = c.get("share");
            int seq = share.get("sequence_number").asInt();
            ShareResult r = submit(ch, share, seq);
            boolean network = comp.get("meets_network_target").asBoolean();
            boolean channel = comp.get("meets_channel_target").asBoolean();
            if (network) {
                ShareResult.BlockFound b = assertInstanceOf(ShareResult.BlockFound.class, r, id);
                assertEquals(comp.get("coinbase_tx_with_witness").asText(), b.coinbaseTx().toHex(), id);
                assertEquals(comp.get("header_hash_raw").asText(), b.blockHash().toWireHex(), id);
                assertEquals(comp.get("header_hash_display").asText(), b.blockHash().toDisplayHex(), id);
                assertEquals(comp.get("header_80B").asText(), b.header().toHex(), id);
                assertEquals(1L, b.templateId());
                assertNotNull(b.ack(), "block acked immediately");
                assertEquals(1, b.ack().newSubmitsAcceptedCount());
                assertEquals(seq, b.ack().lastSequenceNumber());
                var sol = b.toSubmitSolution();
                assertEquals(share.get("nonce").asInt(), sol.headerNonce());
                assertEquals((int) share.get("ntime").asLong(), sol.headerTimestamp());
                assertEquals(b.coinbaseTx(), sol.coinbaseTx());
                assertEquals(ch.extranoncePrefix().length() + c.get("channel").get("rollable_extranonce_size").asInt(),
                        b.toPushSolution().extranonce().length());
            } else if (channel) {
                ShareResult.Accepted a = assertInstanceOf(ShareResult.Accepted.class, r, id);
                assertEquals(seq, a.sequenceNumber());
                assertEquals(Targets.toDifficulty(ch.target()), a.difficulty(), 0.0);
            } else {
                assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), r, id);
                assertEquals("difficulty-too-low", ((ShareResult.Rejected) r).errorCode());
            }
            if (network || channel) {
                ShareResult again = submit(ch, share, seq + 1);
                assertEquals(RejectReason.DUPLICATE_SHARE.result(), again, id);
                assertEquals("duplicate-share", ((ShareResult.Rejected) again).errorCode());
            }
            n++;
        }
        assertEquals(5, n);
    }

    @Test
    void jobTemplateRebuildsEveryCoinbaseForm() throws Exception {
        for (JsonNode c : ROOT.get("cases")) {
            ServerChannel ch = channel(c);
            JobTemplate jt = job(c, ch.fullExtranonceSize());
            JsonNode comp = c.get("computed");
            Bytes full = ch.extranoncePrefix();
            if (c.get("share").has("extranonce")) {
                full = full.concat(Bytes.fromHex(c.get("share").get("extranonce").asText()));
            }
            assertEquals(comp.get("coinbase_tx_no_witness").asText(), jt.coinbaseWithoutWitness(full).toHex());
            assertEquals(comp.get("coinbase_tx_with_witness").asText(), jt.coinbaseWithWitness(full).toHex());
            assertEquals(comp.get("coinbase_txid_raw").asText(), jt.coinbaseTxid(full).toWireHex());
            assertEquals(comp.get("merkle_root_raw").asText(), jt.merkleRoot(full).toWireHex());
        }
    }
}
