package org.hyperhash.tp.devnet;

import org.hyperhash.base.Block;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Coinbase;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.tp.node.BitcoindRpc;
import org.hyperhash.tp.node.BlockNotification;
import org.hyperhash.tp.node.BlockNotifier;
import org.hyperhash.tp.node.BlockSummary;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.ChainInfo;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.WitnessCommitment;

import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * DEVNET: an in-process toy chain for tests and demos. It is NOT a Bitcoin node: no P2P, no
 * script or UTXO validation, synthetic transactions spending made-up outpoints. It hands out
 * templates at regtest difficulty (nBits 0x207fffff), with the height, a halving subsidy and a
 * few synthetic segwit transactions (so merkle paths and the witness commitment are non-trivial),
 * and accepts a submitted block only when its proof of work, nBits, timestamp, merkle root,
 * coinbase (BIP34 height, scriptSig length, amount) and witness commitment are valid and its
 * transactions are ones it offered. Reject strings are Bitcoin Core's. An accepted block becomes
 * the tip and is announced to {@link #notifier()} listeners. Thread-safe (one lock).
 */
public final class DevnetChain implements BitcoindRpc {
    private static final int MAX_STORED_BLOCKS = 10_000;
    private static final int MTP_WINDOW = 11;

    private final DevnetParams params;
    private final InstantSource clock;
    private final Target target;
    private final Object lock = new Object();
    private final Map<Hash256, StoredBlock> blocks = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash256, StoredBlock> e) {
            return size() > MAX_STORED_BLOCKS;
        }
    };
    private final ArrayDeque<Long> recentTimes = new ArrayDeque<>();
    private final List<Consumer<BlockNotification>> listeners = new CopyOnWriteArrayList<>();
    private final List<BlockTemplate.TemplateTransaction> mempool = new ArrayList<>();
    private StoredBlock tip;
    private long sequence;
    private long mempoolVersion;
    private long syntheticCounter;

    private record StoredBlock(Hash256 hash, long height, BlockHeader80 header, Bytes raw, List<Hash256> txids) {
    }

    public DevnetChain(DevnetParams params, InstantSource clock) {
        this.params = params;
        this.clock = clock;
        this.target = CompactBits.toTarget(params.bits());
        StoredBlock genesis = genesis();
        synchronized (lock) {
            blocks.put(genesis.hash(), genesis);
            tip = genesis;
            recentTimes.add(Integer.toUnsignedLong(genesis.header().time()));
            refillMempool();
        }
    }

    public DevnetParams params() {
        return params;
    }

    private StoredBlock genesis() {
        Transaction cb = new Transaction(1, List.of(TxIn.coinbase(
                Bytes.wrap("hyperhash devnet genesis".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), -1, List.of())),
                List.of(new TxOut(params.subsidySats(0), Bytes.fromHex("6a"))), 0);
        Hash256 root = cb.txid();
        int time = (int) (clock.instant().getEpochSecond() - 3600);
        BlockHeader80 h = null;
        for (int nonce = 0; ; nonce++) {
            h = new BlockHeader80(1, Hash256.ZERO, root, time, params.bits(), nonce);
            if (target.isMetBy(h.hash().unsafeWireBytes())) {
                break;
            }
        }
        Bytes raw = new Block(h, List.of(cb)).serialize();
        return new StoredBlock(h.hash(), 0, h, raw, List.of(cb.txid()));
    }

    /** The notifier the template pipeline subscribes to: fires once per accepted block. */
    public BlockNotifier notifier() {
        return new BlockNotifier() {
            private Consumer<BlockNotification> registered;

            @Override
            public void start(Consumer<BlockNotification> onBlock) {
                registered = onBlock;
                listeners.add(onBlock);
            }

            @Override
            public String name() {
                return "devnet";
            }

            @Override
            public void close() {
                if (registered != null) {
                    listeners.remove(registered);
                }
            }
        };
    }

    /** Current tip height. */
    public long height() {
        synchronized (lock) {
            return tip.height();
        }
    }

    public Hash256 tipHash() {
        synchronized (lock) {
            return tip.hash();
        }
    }

    /**
     * Adds one synthetic transaction paying {@code feeSats} to the mempool (raises the template's
     * fees: lets demos and tests exercise non-future templates).
     */
    public void addSyntheticTransaction(long feeSats) {
        synchronized (lock) {
            mempool.add(synthetic(feeSats));
            mempoolVersion++;
            lock.notifyAll();
        }
    }

    private void refillMempool() {
        mempool.clear();
        for (int i = 0; i < params.syntheticTransactionsPerBlock(); i++) {
            mempool.add(synthetic(1_000 + 250L * ((tip.height() + i) % 7)));
        }
        mempoolVersion++;
    }

    /** A segwit transaction spending a made-up outpoint; its fee is just declared (devnet). */
    private BlockTemplate.TemplateTransaction synthetic(long feeSats) {
        long n = syntheticCounter++;
        byte[] seed = new ByteWriter(16).u64Le(params.seed()).u64Le(n).toByteArray();
        Hash256 prevout = Sha256d.of(seed);
        byte[] sig = new byte[71];
        byte[] pub = new byte[33];
        System.arraycopy(Sha256d.hash(prevout.toWireBytes()), 0, sig, 0, 32);
        pub[0] = 0x02;
        System.arraycopy(prevout.toWireBytes(), 0, pub, 1, 32);
        Bytes p2wpkh = new ByteWriter(22).u8(0x00).u8(0x14).bytes(Sha256d.hash(pub), 0, 20).toBytes();
        Transaction tx = new Transaction(2,
                List.of(new TxIn(prevout, (int) (n % 3), Bytes.EMPTY, 0xFFFFFFFD, List.of(Bytes.wrap(sig), Bytes.wrap(pub)))),
                List.of(new TxOut(10_000 + (n % 1000), p2wpkh)), 0);
        Bytes data = tx.serialize();
        int base = tx.serializeWithoutWitness().length();
        int weight = base * 3 + data.length();
        return new BlockTemplate.TemplateTransaction(data, tx.txid(), tx.wtxid(), feeSats, 4, weight, List.of());
    }

    private long medianTimePast() {
        List<Long> ts = new ArrayList<>(recentTimes);
        ts.sort(Long::compare);
        return ts.get(ts.size() / 2);
    }

    @Override
    public BlockTemplate getBlockTemplate() {
        synchronized (lock) {
            long height = tip.height() + 1;
            long fees = 0;
            for (BlockTemplate.TemplateTransaction t : mempool) {
                fees += t.feeSats();
            }
            long mtp = medianTimePast();
            long now = clock.instant().getEpochSecond();
            Bytes commitment = WitnessCommitment.script(mempool.stream().map(BlockTemplate.TemplateTransaction::wtxid).toList());
            return new BlockTemplate(0x20000000, tip.hash(), mempool, params.subsidySats(height) + fees,
                    tip.hash().toDisplayHex() + mempoolVersion, target, mtp + 1, Math.max(now, mtp + 1), params.bits(), height,
                    commitment, 80_000, 4_000_000);
        }
    }

    @Override
    public BlockTemplate getBlockTemplateLongPoll(String longPollId) throws RpcException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        synchronized (lock) {
            while ((tip.hash().toDisplayHex() + mempoolVersion).equals(longPollId)) {
                long waitMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (waitMillis <= 0) {
                    break;
                }
                try {
                    lock.wait(waitMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RpcException(RpcException.Kind.UNREACHABLE, "getblocktemplate", 0, "interrupted");
                }
            }
            return getBlockTemplate();
        }
    }

    @Override
    public SubmitResult submitBlock(Bytes raw) throws RpcException {
        Block block;
        try {
            block = Block.parse(raw.unsafeArray());
        } catch (IllegalArgumentException e) { // includes MalformedDataException
            throw new RpcException(RpcException.Kind.RPC_ERROR, "submitblock", -22, "RPC error -22: Block decode failed");
        }
        Hash256 hash = block.hash();
        BlockNotification announce;
        synchronized (lock) {
            if (blocks.containsKey(hash)) {
                return SubmitResult.rejected("duplicate");
            }
            BlockHeader80 h = block.header();
            if (!h.prevHash().equals(tip.hash())) {
                return SubmitResult.rejected(blocks.containsKey(h.prevHash()) ? "inconclusive" : "prev-blk-not-found");
            }
            String reject = validate(block, hash);
            if (reject != null) {
                return SubmitResult.rejected(reject);
            }
            long height = tip.height() + 1;
            StoredBlock sb = new StoredBlock(hash, height, h, raw, block.transactions().stream().map(Transaction::txid).toList());
            blocks.put(hash, sb);
            tip = sb;
            recentTimes.addLast(Integer.toUnsignedLong(h.time()));
            if (recentTimes.size() > MTP_WINDOW) {
                recentTimes.removeFirst();
            }
            refillMempool();
            announce = new BlockNotification(hash, sequence++, System.nanoTime());
            lock.notifyAll();
        }
        for (Consumer<BlockNotification> l : listeners) {
            l.accept(announce);
        }
        return SubmitResult.accepted();
    }

    /** Returns Core's reject string, or null when valid. Caller holds the lock. */
    private String validate(Block block, Hash256 hash) {
        BlockHeader80 h = block.header();
        if (h.bits() != params.bits()) {
            return "bad-diffbits";
        }
        if (!target.isMetBy(hash.unsafeWireBytes())) {
            return "high-hash";
        }
        long time = Integer.toUnsignedLong(h.time());
        if (time <= medianTimePast()) {
            return "time-too-old";
        }
        if (time > clock.instant().getEpochSecond() + params.maxFutureBlockTimeSeconds()) {
            return "time-too-new";
        }
        List<Transaction> txs = block.transactions();
        if (txs.isEmpty() || !txs.getFirst().isCoinbase()) {
            return "bad-cb-missing";
        }
        if (!h.merkleRoot().equals(block.computeMerkleRoot())) {
            return "bad-txnmrklroot";
        }
        Map<Hash256, BlockTemplate.TemplateTransaction> offered = new HashMap<>();
        for (BlockTemplate.TemplateTransaction t : mempool) {
            offered.put(t.txid(), t);
        }
        long fees = 0;
        boolean anyWitness = false;
        for (int i = 1; i < txs.size(); i++) {
            Transaction tx = txs.get(i);
            if (tx.isCoinbase()) {
                return "bad-cb-multiple";
            }
            BlockTemplate.TemplateTransaction known = offered.remove(tx.txid());
            if (known == null) {
                return "bad-txns-inputs-missingorspent"; // devnet only knows its own synthetic transactions
            }
            fees += known.feeSats();
            anyWitness |= tx.hasWitness();
        }
        Transaction cb = txs.getFirst();
        Bytes scriptSig = cb.inputs().getFirst().scriptSig();
        if (scriptSig.length() < Coinbase.MIN_SCRIPT_SIG_LENGTH || scriptSig.length() > Coinbase.MAX_SCRIPT_SIG_LENGTH) {
            return "bad-cb-length";
        }
        Bytes heightPush = Coinbase.bip34HeightPush(tip.height() + 1);
        if (scriptSig.length() < heightPush.length() || !scriptSig.slice(0, heightPush.length()).equals(heightPush)) {
            return "bad-cb-height";
        }
        TxOut commitmentOut = null;
        for (TxOut o : cb.outputs()) {
            if (WitnessCommitment.isCommitment(o.scriptPubKey())) {
                commitmentOut = o; // BIP141: the last matching output counts
            }
        }
        if (commitmentOut != null) {
            List<Bytes> w = cb.inputs().getFirst().witness();
            if (w.size() != 1 || w.getFirst().length() != 32) {
                return "bad-witness-nonce-size";
            }
            if (!w.getFirst().equals(WitnessCommitment.RESERVED_VALUE)) {
                return "bad-witness-merkle-match"; // devnet assumes the TDP reserved value
            }
            Bytes expected = WitnessCommitment.script(txs.subList(1, txs.size()).stream().map(Transaction::wtxid).toList());
            if (!commitmentOut.scriptPubKey().slice(0, 38).equals(expected)) {
                return "bad-witness-merkle-match";
            }
        } else if (anyWitness || cb.hasWitness()) {
            return "unexpected-witness";
        }
        // Core checks the amount last (ConnectBlock, after the contextual checks above)
        long paid = 0;
        for (TxOut o : cb.outputs()) {
            paid += o.valueSats();
        }
        if (paid > params.subsidySats(tip.height() + 1) + fees) {
            return "bad-cb-amount";
        }
        return null;
    }

    @Override
    public ChainInfo getBlockchainInfo() {
        synchronized (lock) {
            return new ChainInfo(DevnetParams.CHAIN, tip.height(), tip.height(), tip.hash(), params.bits(), 1.0, false);
        }
    }

    @Override
    public Hash256 getBestBlockHash() {
        return tipHash();
    }

    @Override
    public Bytes getBlockRaw(Hash256 hash) throws RpcException {
        return find(hash).raw();
    }

    @Override
    public BlockSummary getBlock(Hash256 hash) throws RpcException {
        StoredBlock b = find(hash);
        synchronized (lock) {
            long confirmations = tip.height() - b.height() + 1;
            return new BlockSummary(b.hash(), b.height(), confirmations, b.height() == 0 ? null : b.header().prevHash(),
                    Integer.toUnsignedLong(b.header().time()), b.header().bits(), b.txids());
        }
    }

    private StoredBlock find(Hash256 hash) throws RpcException {
        synchronized (lock) {
            StoredBlock b = blocks.get(hash);
            if (b == null) {
                throw new RpcException(RpcException.Kind.RPC_ERROR, "getblock", -5, "RPC error -5: Block not found");
            }
            return b;
        }
    }
}
