package org.hyperhash.sv2.channel;

import static org.hyperhash.sv2.channel.ShareValidationVectorsTest.kase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.junit.jupiter.api.Test;

/** The client view agrees with the server channel on the vector shares. */
class ExtendedChannelClientTest {

    @Test
    void clientPrecheckMatchesServer() throws Exception {
        for (String id : List.of("ext_valid", "ext_block", "ext_lowdiff")) {
            JsonNode c = kase(id);
            ExtendedChannel server = (ExtendedChannel) ShareValidationVectorsTest.channel(c);
            List<Sv2Message> opening = server.start(ShareValidationVectorsTest.job(c, server.fullExtranonceSize()),
                    ShareValidationVectorsTest.tip(c));
            OpenExtendedMiningChannelSuccess ok = server.openSuccess(1);
            ExtendedChannelClient client = new ExtendedChannelClient(ok, 16);
            client.onNewExtendedMiningJob((NewExtendedMiningJob) opening.get(0));
            client.onSetNewPrevHash((SetNewPrevHash) opening.get(1));
            JsonNode s = c.get("share");
            Bytes en = Bytes.fromHex(s.get("extranonce").asText());
            ShareResult r = client.check(s.get("job_id").asInt(), en, (int) s.get("nonce").asLong(),
                    (int) s.get("ntime").asLong(), s.get("version").asInt());
            var submit = client.submit(s.get("job_id").asInt(), en, (int) s.get("nonce").asLong(),
                    (int) s.get("ntime").asLong(), s.get("version").asInt());
            ShareResult sr = server.onShare(submit, Instant.ofEpochSecond(s.get("ntime").asLong()));
            assertEquals(c.get("computed").get("header_hash_raw").asText(), client.lastShareHash().toWireHex(), id);
            assertEquals(c.get("computed").get("meets_network_target").asBoolean(), client.lastShareMeetsNetworkTarget(), id);
            if (sr instanceof ShareResult.Rejected rej) {
                assertEquals(rej, r, id);
            } else {
                assertInstanceOf(ShareResult.Accepted.class, r, id);
            }
            assertEquals(RejectReason.STALE_SHARE.result(), client.check(99, en, 0, 0, 0));
            assertEquals(RejectReason.BAD_EXTRANONCE_SIZE.result(), client.check(1, Bytes.of((byte) 1), 0, 0, 0));
            assertTrue(client.startNtime(client.activeJob()).isPresent());
            assertEquals(1, client.submit(1, en, 0, 0, 0).sequenceNumber());
        }
    }
}
