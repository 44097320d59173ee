package org.hyperhash.pool.hypernode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Target;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxOut;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.jdc.CustomJob;
import org.hyperhash.jdc.MiningUpstream;
import org.hyperhash.pool.identity.PoolNetwork;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.channel.InvalidTemplateException;
import org.hyperhash.sv2.channel.JobTemplate;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.Test;

/** The Hyper Node's local job is the upstream custom job's coinbase; its configuration is strict. */
class HyperNodeJobTest {
    static final Bytes POOL = PoolNetwork.DEVNET.parse(PoolHarness.address(0));

    @Test
    void localJobCoinbaseIsTheUpstreamCustomJobCoinbase() throws Exception {
        DevnetChain chain = new DevnetChain(DevnetParams.defaults(), java.time.InstantSource.system());
        BuiltTemplate bt = new TemplateFactory(CoinbaseStyle.values()[0]).build(chain.getBlockTemplate(), 7, false,
                OutputReservation.NONE);
        Bytes poolOutputs = TxOut.serializeCounted(List.of(new TxOut(0, POOL)));
        Bytes upstreamPrefix = Bytes.fromHex("0a0b0c0d");
        MiningUpstream.ChannelInfo info = new MiningUpstream.ChannelInfo(3, upstreamPrefix, 16, Target.MAX);
        JobTemplate local = HyperNode.upstreamJob(bt.message(), poolOutputs, info, 11);
        CustomJob declared = CustomJob.build(bt.message(), bt.transactionData(), poolOutputs, info.fullExtranonceSize());

        Bytes localFull = Bytes.fromHex("00112233445566778899aa"); // what a local channel rolls
        Bytes upstreamRolled = Bytes.wrap(new byte[5]).concat(localFull); // what the Hyper Node forwards
        // the same transaction, witness form included (the block the local TP or the pool submits)
        assertEquals(declared.coinbase(upstreamPrefix.concat(upstreamRolled)), local.coinbaseWithWitness(localFull));
        Transaction cb = Transaction.parse(local.coinbaseWithWitness(localFull));
        assertEquals(POOL, cb.outputs().getFirst().scriptPubKey(), "the pool's payout first");
        assertEquals(bt.message().coinbaseTxValueRemaining(), cb.outputs().getFirst().valueSats());
        assertEquals(bt.message().merklePath(), local.merklePath());
        assertEquals(declared.outputs(), local.outputs());

        // an upstream channel with fewer rollable bytes than the local full extranonce cannot carry it
        MiningUpstream.ChannelInfo small = new MiningUpstream.ChannelInfo(3, upstreamPrefix, 8, Target.MAX);
        assertThrows(InvalidTemplateException.class, () -> HyperNode.upstreamJob(bt.message(), poolOutputs, small, 11));
    }

    static HyperNodeConfig load(String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of("payout.address=\"" + PoolHarness.address(30) + "\""));
        all.addAll(List.of(sets));
        return HyperNodeConfig.from(DaemonConfig.load(null, all, null, HyperNodeConfig.ROOT, Map.of()));
    }

    @Test
    void configIsStrict() {
        HyperNodeConfig c = load("upstream.pools=[{name=a, address=\"127.0.0.1:3333\", jds-address=\"127.0.0.1:3334\","
                + " user-identity=\"" + PoolHarness.address(21) + ".hn\"}]");
        assertEquals(1, c.pools().size());
        assertEquals(3334, c.pools().getFirst().jdsAddress().getPort());
        assertEquals(null, c.pools().getFirst().authorityKey(), "empty key = plaintext");
        assertEquals(34265, c.pool().sv2().listen().getFirst().getPort());
        assertEquals(11, 1 + c.pool().channel().extranonceIndexBytes() + c.pool().channel().extranonceClientBytes());
        assertTrue(load().pools().isEmpty(), "no pools: solo only");

        ConfigError e = assertThrows(ConfigError.class, () -> load("upstream.pools=[{name=a, adress=\"127.0.0.1:3333\","
                + " jds-address=\"127.0.0.1:3334\", user-identity=x}]"));
        assertTrue(e.getMessage().contains("upstream.pools[0].adress") && e.getMessage().contains("address"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> load("upstream.pools=[{address=\"127.0.0.1:3333\","
                + " jds-address=\"127.0.0.1:3334\"}]"));
        assertTrue(e.getMessage().contains("user-identity"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> load("upstream.pools=[{address=\"127.0.0.1:3333\", user-identity=x}]"));
        assertTrue(e.getMessage().contains("jds-address"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> load("jds.enabled=true"));
        assertTrue(e.getMessage().contains("jds.enabled"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> load("upstream.cooldown=0s"));
        assertTrue(e.getMessage().contains("upstream.cooldown"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> load("upstream.coldown=1s"));
        assertTrue(e.getMessage().contains("coldown"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> load("network=mainnet", "payout.address=\"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\"",
                "sv2.authority-secret-key=\"" + org.hyperhash.sv2.noise.AuthorityKeyPair.generate(new java.security.SecureRandom())
                        .secretToBase58() + "\"",
                "upstream.pools=[{address=\"127.0.0.1:3333\", jds-address=\"127.0.0.1:3334\", user-identity=x}]"));
        assertTrue(e.getMessage().contains("authority-key"), e.getMessage());
    }
}
