package org.hyperhash.treasury.lightning;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.lightningj.lnd.proto.LightningApi;
import org.lightningj.lnd.proto.LightningGrpc;
import org.lightningj.lnd.router.proto.RouterGrpc;
import org.lightningj.lnd.router.proto.RouterOuterClass;

/**
 * LND over gRPC with LightningJ's generated stubs: TLS pinned to LND's certificate file, the macaroon from a
 * file (reloaded when it changes) in the {@code macaroon} metadata of every call.
 */
public final class LndGrpcNode implements LightningNode {
    private static final Metadata.Key<String> MACAROON = Metadata.Key.of("macaroon", Metadata.ASCII_STRING_MARSHALLER);
    private static final HexFormat HEX = HexFormat.of();

    private final ManagedChannel channel;
    private final MacaroonFile macaroon;
    private final String target;
    private final Duration callTimeout;

    /**
     * @param tlsCertFile  LND's tls.cert (PEM); the only trusted certificate
     * @param macaroonFile admin or a payments-only macaroon (needs offchain:read/write, info:read)
     * @param overrideAuthority host name to check in the certificate (null: {@code host})
     */
    public LndGrpcNode(String host, int port, Path tlsCertFile, Path macaroonFile, String overrideAuthority, Duration callTimeout)
            throws LndException {
        this.target = host + ":" + port;
        this.macaroon = new MacaroonFile(macaroonFile);
        this.callTimeout = callTimeout;
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.forClient().trustManager(tlsCertFile.toFile()).build();
        } catch (IOException | RuntimeException e) {
            throw new LndException(LndException.Kind.TLS, "cannot load LND TLS certificate " + tlsCertFile + ": " + e.getMessage());
        }
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port).sslContext(ssl).maxInboundMessageSize(64 << 20);
        if (overrideAuthority != null && !overrideAuthority.isBlank()) {
            b.overrideAuthority(overrideAuthority);
        }
        this.channel = b.build();
    }

    private final CallCredentials creds = new CallCredentials() {
        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            try {
                Metadata md = new Metadata();
                md.put(MACAROON, macaroon.currentHex());
                applier.apply(md);
            } catch (IOException e) {
                applier.fail(Status.UNAUTHENTICATED.withDescription("cannot read macaroon file " + macaroon.path() + ": "
                        + e.getClass().getSimpleName()));
            }
        }
    };

    private LightningGrpc.LightningBlockingStub lightning(Duration timeout) {
        reconnectNow();
        return LightningGrpc.newBlockingStub(channel).withCallCredentials(creds).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private RouterGrpc.RouterBlockingStub router(Duration timeout) {
        reconnectNow();
        return RouterGrpc.newBlockingStub(channel).withCallCredentials(creds).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Calls are rare (one cycle every poll interval): after a failed connect, reconnect now (bounded wait) instead
     * of failing fast until gRPC's back-off expires.
     */
    private void reconnectNow() {
        if (channel.getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
            return;
        }
        channel.resetConnectBackoff();
        long end = System.nanoTime() + Math.min(callTimeout.toNanos(), TimeUnit.SECONDS.toNanos(2));
        ConnectivityState st = channel.getState(false);
        boolean leftFailure = st != ConnectivityState.TRANSIENT_FAILURE;
        while (System.nanoTime() < end && (!leftFailure || st == ConnectivityState.CONNECTING)) {
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(st, changed::countDown);
            try {
                if (!changed.await(end - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            st = channel.getState(false);
            leftFailure = true;
        }
    }

    /** Maps a gRPC failure to an operator-facing error. */
    LndException classify(StatusRuntimeException e) {
        Status s = e.getStatus();
        String d = s.getDescription() == null ? "" : s.getDescription();
        String dl = d.toLowerCase(Locale.ROOT);
        if (s.getCode() == Status.Code.UNAVAILABLE) {
            if (dl.contains("ssl") || dl.contains("certificate") || dl.contains("handshake") || causedByTls(e)) {
                return new LndException(LndException.Kind.TLS, "TLS handshake with LND at " + target + " failed (wrong tls.cert?)");
            }
            return new LndException(LndException.Kind.UNREACHABLE, "LND unreachable at " + target);
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new LndException(LndException.Kind.TIMEOUT, "LND at " + target + " did not answer in time");
        }
        if (s.getCode() == Status.Code.UNAUTHENTICATED && dl.startsWith("cannot read macaroon file")) {
            return new LndException(LndException.Kind.BAD_MACAROON, d);
        }
        if (dl.contains("macaroon") || dl.contains("verification failed") || s.getCode() == Status.Code.UNAUTHENTICATED
                || s.getCode() == Status.Code.PERMISSION_DENIED) {
            macaroon.invalidate();
            return new LndException(LndException.Kind.BAD_MACAROON, "LND at " + target + " rejected the macaroon (" + s.getCode() + ")");
        }
        if (dl.contains("wallet locked") || dl.contains("unlock") || (s.getCode() == Status.Code.UNIMPLEMENTED && dl.contains("wallet"))) {
            return new LndException(LndException.Kind.WALLET_LOCKED, "LND wallet at " + target + " is locked: unlock it");
        }
        return new LndException(LndException.Kind.REFUSED, "LND refused: " + s.getCode() + " " + d);
    }

    private static boolean causedByTls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public NodeInfo getInfo() throws LndException {
        try {
            LightningApi.GetInfoResponse r = lightning(callTimeout).getInfo(LightningApi.GetInfoRequest.getDefaultInstance());
            return new NodeInfo(r.getIdentityPubkey(), r.getAlias(), r.getSyncedToChain(), r.getNumActiveChannels());
        } catch (StatusRuntimeException e) {
            throw classify(e);
        }
    }

    @Override
    public ChannelSummary channelSummary() throws LndException {
        try {
            LightningApi.ChannelBalanceResponse r = lightning(callTimeout).channelBalance(LightningApi.ChannelBalanceRequest.getDefaultInstance());
            LightningApi.GetInfoResponse i = lightning(callTimeout).getInfo(LightningApi.GetInfoRequest.getDefaultInstance());
            return new ChannelSummary(r.getLocalBalance().getSat(), r.getRemoteBalance().getSat(), i.getNumActiveChannels());
        } catch (StatusRuntimeException e) {
            throw classify(e);
        }
    }

    @Override
    public SendOutcome send(SendRequest q, Duration wait) {
        RouterOuterClass.SendPaymentRequest.Builder b = RouterOuterClass.SendPaymentRequest.newBuilder()
                .setTimeoutSeconds(q.timeoutSeconds())
                .setFeeLimitMsat(q.feeLimitMsat())
                .setMaxParts(q.maxParts())
                .setNoInflightUpdates(true);
        if (q.paymentRequest() != null) {
            b.setPaymentRequest(q.paymentRequest());
            Bolt11Invoice inv = Bolt11Invoice.decode(q.paymentRequest());
            if (inv.amountMsat().isEmpty()) {
                b.setAmtMsat(q.amountMsat());
            }
        } else {
            b.setDest(ByteString.copyFrom(HEX.parseHex(q.destPubkeyHex())))
                    .setAmtMsat(q.amountMsat())
                    .setPaymentHash(ByteString.copyFrom(HEX.parseHex(q.paymentHashHex())))
                    .putDestCustomRecords(KEYSEND_RECORD, ByteString.copyFrom(HEX.parseHex(q.keysendPreimageHex())));
        }
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            return ctx.call(() -> {
                Iterator<LightningApi.Payment> it = router(wait).sendPaymentV2(b.build());
                LightningApi.Payment last = null;
                while (it.hasNext()) {
                    last = it.next();
                    Terminal t = terminal(last);
                    if (t != null) {
                        return new Sent(t);
                    }
                }
                return new Unknown("payment stream ended without a terminal state" + (last == null ? "" : " (last " + last.getStatus() + ")"));
            });
        } catch (StatusRuntimeException e) {
            LndException le = classify(e);
            if (le.kind() == LndException.Kind.REFUSED) {
                return new Refused(le.getMessage());
            }
            return new Unknown(le.getMessage());
        } catch (Exception e) {
            return new Unknown(e.getClass().getSimpleName());
        } finally {
            ctx.cancel(null);
        }
    }

    @Override
    public TrackOutcome track(String paymentHashHex, Duration wait) {
        RouterOuterClass.TrackPaymentRequest req = RouterOuterClass.TrackPaymentRequest.newBuilder()
                .setPaymentHash(ByteString.copyFrom(HEX.parseHex(paymentHashHex))).setNoInflightUpdates(false).build();
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            return ctx.call(() -> {
                Iterator<LightningApi.Payment> it = router(wait).trackPaymentV2(req);
                while (it.hasNext()) {
                    Terminal t = terminal(it.next());
                    if (t != null) {
                        return new Tracked(t);
                    }
                }
                return new StillInFlight();
            });
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return new NotFound();
            }
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return new StillInFlight();
            }
            return new TrackUnknown(classify(e).getMessage());
        } catch (Exception e) {
            return new TrackUnknown(e.getClass().getSimpleName());
        } finally {
            ctx.cancel(null);
        }
    }

    private static Terminal terminal(LightningApi.Payment p) {
        return switch (p.getStatus()) {
            case SUCCEEDED -> new Terminal(true, p.getFeeMsat(), p.getPaymentPreimage(), null);
            case FAILED -> new Terminal(false, 0, null, p.getFailureReason().name());
            default -> null;
        };
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lnd", target);
        m.put("macaroon_reloads", macaroon.reloads());
        return m;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
