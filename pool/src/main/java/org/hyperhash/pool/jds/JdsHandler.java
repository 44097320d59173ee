package org.hyperhash.pool.jds;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Transaction;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.jd.AllocateMiningJobToken;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.jd.DeclareMiningJobError;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactions;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.UnknownFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job declarator client connection (event-loop confined). SetupConnection (protocol 1, DECLARE_TX_DATA
 * required) -> AllocateMiningJobToken -> DeclareMiningJob, answered at once when every wtxid is in the JDS's
 * mempool view, else after one ProvideMissingTransactions round trip; PushSolution for the connection's last
 * accepted declaration. Bad declarations get DeclareMiningJob.Error with SRI's codes and are counted; messages out
 * of sequence, undecodable frames and token hoarding close the connection (counted).
 */
final class JdsHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(JdsHandler.class);
    static final int PROTOCOL_JOB_DECLARATION = 1;
    static final int DECLARE_TX_DATA = 1;
    static final int PROTOCOL_VERSION = 2;

    private final JobDeclarator jds;
    private final InetAddress ip;
    private final long connectionId;
    private ChannelHandlerContext ctx;
    private boolean setupDone;
    private boolean closed;
    private Pending pending;
    private JobTokens.Declared last;

    /** A declaration waiting for ProvideMissingTransactions.Success. */
    private record Pending(DeclareMiningJob job, JobTokens.Allocated token, DeclaredCoinbase coinbase, JdsMempool.Entry[] txs,
            List<Integer> missing, long startNanos) {
    }

    JdsHandler(JobDeclarator jds, InetAddress ip) {
        this.jds = jds;
        this.ip = ip;
        this.connectionId = jds.nextConnectionId();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        jds.metrics().connections.incrementAndGet();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        jds.metrics().connections.decrementAndGet();
        jds.tokens().connectionClosed(connectionId);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed) {
            return;
        }
        try {
            if (!setupDone && !(msg instanceof SetupConnection)) {
                violation("first message " + msg.getClass().getSimpleName() + " is not SetupConnection");
                return;
            }
            switch (msg) {
                case SetupConnection s -> onSetup(s);
                case AllocateMiningJobToken a -> onAllocate(a);
                case DeclareMiningJob d -> onDeclare(d);
                case ProvideMissingTransactionsSuccess p -> onProvided(p);
                case PushSolution p -> onPush(p);
                case UnknownFrame u -> {
                    // unknown extension or message: ignored (spec)
                }
                default -> violation("unexpected " + msg.getClass().getSimpleName());
            }
        } catch (RuntimeException e) {
            LOG.warn("jds {}: closing after internal error handling {}: {}", ip.getHostAddress(),
                    msg.getClass().getSimpleName(), e.toString());
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Sv2ErrorEvent e) {
            if (e.kind() != Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT) {
                jds.metrics().refused(JdsMetrics.Refusal.PROTOCOL_VIOLATION);
            }
            LOG.debug("jds {}: {} {}", ip.getHostAddress(), e.kind().label(), e.detail());
            return;
        }
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("jds {}: {}", ip.getHostAddress(), cause.toString());
        ctx.close();
    }

    private void send(Sv2Message m) {
        if (!closed) {
            ctx.writeAndFlush(m, ctx.voidPromise());
        }
    }

    private void violation(String what) {
        closed = true;
        jds.metrics().refused(JdsMetrics.Refusal.PROTOCOL_VIOLATION);
        LOG.info("jds {}: closing: {}", ip.getHostAddress(), what);
        ctx.close();
    }

    private void onSetup(SetupConnection s) {
        if (setupDone) {
            violation("second SetupConnection");
            return;
        }
        String error = null;
        int flags = 0;
        if (s.protocol() != PROTOCOL_JOB_DECLARATION) {
            error = "unsupported-protocol";
        } else if (s.minVersion() > PROTOCOL_VERSION || s.maxVersion() < PROTOCOL_VERSION) {
            error = "protocol-version-mismatch";
        } else if ((s.flags() & ~DECLARE_TX_DATA) != 0) {
            error = "unsupported-feature-flags";
            flags = s.flags() & ~DECLARE_TX_DATA;
        } else if ((s.flags() & DECLARE_TX_DATA) == 0) {
            // this JDS checks every declared transaction (Full-Template mode); coinbase-only clients go elsewhere
            error = "missing-declare-tx-data-flag";
            flags = DECLARE_TX_DATA;
        }
        if (error != null) {
            jds.metrics().refused(JdsMetrics.Refusal.SETUP);
            closed = true;
            ctx.writeAndFlush(new SetupConnectionError(flags, error)).addListener(f -> ctx.close());
            return;
        }
        setupDone = true;
        send(new SetupConnectionSuccess(PROTOCOL_VERSION, 0));
    }

    private void onAllocate(AllocateMiningJobToken a) {
        Bytes token = jds.tokens().allocate(connectionId, a.userIdentifier());
        if (token == null) {
            jds.metrics().refused(JdsMetrics.Refusal.TOKEN_LIMIT);
            closed = true;
            LOG.info("jds {}: closing: more than {} unused tokens", ip.getHostAddress(),
                    jds.config().maxTokensPerConnection());
            ctx.close();
            return;
        }
        jds.metrics().tokensAllocated.increment();
        send(new AllocateMiningJobTokenSuccess(a.requestId(), token, jds.poolOutputs()));
    }

    private void declareError(int requestId, JdsMetrics.Declaration d, String code, String details) {
        jds.metrics().declaration(d);
        LOG.debug("jds {}: DeclareMiningJob {} refused: {} ({})", ip.getHostAddress(), Integer.toUnsignedString(requestId),
                code, details);
        send(new DeclareMiningJobError(requestId, code, Bytes.wrap(truncate(details).getBytes(
                java.nio.charset.StandardCharsets.UTF_8))));
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200);
    }

    private void onDeclare(DeclareMiningJob d) {
        long t0 = System.nanoTime();
        if (pending != null) {
            declareError(pending.job().requestId(), JdsMetrics.Declaration.INVALID_JOB, "invalid-job",
                    "superseded by DeclareMiningJob " + Integer.toUnsignedString(d.requestId()));
            pending = null;
        }
        JobTokens.Allocated token = jds.tokens().take(d.miningJobToken(), connectionId);
        if (token == null) {
            declareError(d.requestId(), JdsMetrics.Declaration.INVALID_TOKEN, "invalid-mining-job-token",
                    "unknown, expired, already used or allocated on another connection");
            return;
        }
        if (d.wtxidList().size() > jds.config().maxDeclaredTransactions()) {
            declareError(d.requestId(), JdsMetrics.Declaration.INVALID_JOB, "invalid-job", d.wtxidList().size()
                    + " transactions > jds.max-declared-transactions " + jds.config().maxDeclaredTransactions());
            return;
        }
        DeclaredCoinbase cb;
        try {
            cb = DeclaredCoinbase.parse(d.coinbaseTxPrefix(), d.coinbaseTxSuffix());
        } catch (DeclaredCoinbase.InvalidCoinbaseException e) {
            declareError(d.requestId(), JdsMetrics.Declaration.INVALID_COINBASE, "invalid-coinbase-tx", e.getMessage());
            return;
        }
        String outputs = jds.checkOutputs(cb.outputs());
        if (outputs != null) {
            declareError(d.requestId(), JdsMetrics.Declaration.INVALID_COINBASE, "invalid-coinbase-tx", outputs);
            return;
        }
        int n = d.wtxidList().size();
        JdsMempool.Entry[] txs = new JdsMempool.Entry[n];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            txs[i] = jds.mempool().get(d.wtxidList().get(i));
            if (txs[i] == null) {
                missing.add(i);
            }
        }
        if (missing.isEmpty()) {
            finish(d, token, cb, txs, t0);
            return;
        }
        pending = new Pending(d, token, cb, txs, missing, t0);
        jds.metrics().missingTransactionRequests.increment();
        send(new ProvideMissingTransactions(d.requestId(), missing));
    }

    private void onProvided(ProvideMissingTransactionsSuccess p) {
        Pending pd = pending;
        if (pd == null || pd.job().requestId() != p.requestId()) {
            violation("ProvideMissingTransactions.Success for request " + Integer.toUnsignedString(p.requestId())
                    + " that is not waiting for transactions");
            return;
        }
        pending = null;
        DeclareMiningJob d = pd.job();
        if (p.transactionList().size() != pd.missing().size()) {
            declareError(d.requestId(), JdsMetrics.Declaration.MISSING_TXS, "missing-txs", "asked "
                    + pd.missing().size() + " transactions, got " + p.transactionList().size());
            return;
        }
        long bytes = 0;
        for (int k = 0; k < pd.missing().size(); k++) {
            int pos = pd.missing().get(k);
            Bytes raw = p.transactionList().get(k);
            bytes += raw.length();
            if (bytes > jds.config().maxProvidedBytes()) {
                declareError(d.requestId(), JdsMetrics.Declaration.INVALID_JOB, "invalid-job",
                        "provided transactions exceed jds.max-provided-bytes " + jds.config().maxProvidedBytes());
                return;
            }
            Transaction tx;
            try {
                tx = Transaction.parse(raw);
            } catch (RuntimeException e) {
                declareError(d.requestId(), JdsMetrics.Declaration.MISSING_TXS, "missing-txs",
                        "provided transaction " + k + " does not parse");
                return;
            }
            if (!tx.wtxid().equals(d.wtxidList().get(pos))) {
                declareError(d.requestId(), JdsMetrics.Declaration.MISSING_TXS, "missing-txs",
                        "provided transaction " + k + " is not wtxid " + d.wtxidList().get(pos).toDisplayHex());
                return;
            }
            pd.txs()[pos] = new JdsMempool.Entry(raw, tx.txid(), tx.hasWitness());
        }
        for (int pos : pd.missing()) {
            jds.mempool().put(d.wtxidList().get(pos), pd.txs()[pos]);
        }
        finish(d, pd.token(), pd.coinbase(), pd.txs(), pd.startNanos());
    }

    private void finish(DeclareMiningJob d, JobTokens.Allocated token, DeclaredCoinbase cb, JdsMempool.Entry[] txs,
            long t0) {
        List<Hash256> txids = new ArrayList<>(txs.length);
        List<Bytes> raws = new ArrayList<>(txs.length);
        long size = (long) d.coinbaseTxPrefix().length() + d.coinbaseTxSuffix().length() + 32;
        boolean anyWitness = false;
        for (JdsMempool.Entry e : txs) {
            txids.add(e.txid());
            raws.add(e.raw());
            anyWitness |= e.witness();
            size += e.raw().length();
        }
        if (size > JobDeclarator.MAX_BLOCK_BYTES) {
            declareError(d.requestId(), JdsMetrics.Declaration.INVALID_JOB, "invalid-job",
                    "block of " + size + " bytes exceeds the consensus limit");
            return;
        }
        String commitment = JobDeclarator.checkWitnessCommitment(cb, d.wtxidList(), anyWitness);
        if (commitment != null) {
            declareError(d.requestId(), JdsMetrics.Declaration.INVALID_COINBASE, "invalid-coinbase-tx", commitment);
            return;
        }
        last = jds.tokens().declare(connectionId, token.userIdentifier(), d.version(), cb, raws, txids);
        jds.metrics().declaration(JdsMetrics.Declaration.ACCEPTED);
        send(new DeclareMiningJobSuccess(d.requestId(), last.token()));
        jds.metrics().declareLatency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }

    private void onPush(PushSolution p) {
        if (last == null) {
            jds.metrics().push(JdsMetrics.Push.UNKNOWN_JOB);
            LOG.info("jds {}: PushSolution before any accepted declaration ignored", ip.getHostAddress());
            return;
        }
        String hash = jds.pushSolution(last, p.extranonce(), p.prevHash(), p.nonce(), p.ntime(), p.nbits(), p.version());
        if (hash == null) {
            LOG.info("jds {}: invalid PushSolution (proof of work or extranonce size) ignored", ip.getHostAddress());
        }
    }
}
