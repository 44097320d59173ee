package org.hyperhash.treasury.lightning;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.lightningj.lnd.proto.LightningApi;
import org.lightningj.lnd.proto.LightningGrpc;
import org.lightningj.lnd.router.proto.RouterGrpc;
import org.lightningj.lnd.router.proto.RouterOuterClass;

/**
 * An in-process stand-in for LND: LightningJ's generated Lightning and Router service bases over real TLS on
 * loopback, checking the macaroon metadata like LND, with a payment database keyed by hash that (like LND)
 * refuses a second payment for a hash that succeeded or is in flight. Fault modes are queued per send.
 */
final class FakeLnd implements AutoCloseable {
    enum Mode { SUCCEED, NO_ROUTE, INSUFFICIENT_BALANCE, HANG, DROP_AFTER_SUCCESS, DROP_BEFORE_RECORD, REJECT }

    static final class Rec {
        LightningApi.Payment.PaymentStatus status;
        long amountMsat;
        int sends;
        int settled;
        /** SendPaymentV2 calls for this hash while it was already succeeded or in flight (LND refuses them). */
        int duplicateAttempts;
        LightningApi.PaymentFailureReason reason = LightningApi.PaymentFailureReason.FAILURE_REASON_NONE;
    }

    static final Metadata.Key<String> MACAROON = Metadata.Key.of("macaroon", Metadata.ASCII_STRING_MARSHALLER);
    final Map<String, Rec> payments = new ConcurrentHashMap<>();
    final Deque<Mode> modes = new ArrayDeque<>();
    final List<String> log = new ArrayList<>();
    final Path certPem;
    final Path keyPem;
    final long feeMsat = 7;
    volatile String macaroonHex;
    volatile boolean walletLocked;
    /** Calls that got past TLS and the macaroon check, per RPC method name. */
    final Map<String, Integer> calls = new ConcurrentHashMap<>();
    private Server server;
    private int port;

    FakeLnd(Path dir, String macaroonHex) throws Exception {
        this.macaroonHex = macaroonHex;
        this.certPem = dir.resolve("tls.cert");
        this.keyPem = dir.resolve("tls.key");
        selfSigned(dir);
        start(0);
    }

    int port() {
        return port;
    }

    synchronized void queue(Mode... m) {
        modes.addAll(List.of(m));
    }

    private synchronized Mode next() {
        return modes.isEmpty() ? Mode.SUCCEED : modes.poll();
    }

    /** Settles or fails every hanging payment (as if it resolved while we were not looking). */
    void resolveHanging(boolean success) {
        for (Rec r : payments.values()) {
            synchronized (r) {
                if (r.status == LightningApi.Payment.PaymentStatus.IN_FLIGHT) {
                    if (success) {
                        r.status = LightningApi.Payment.PaymentStatus.SUCCEEDED;
                        r.settled++;
                    } else {
                        r.status = LightningApi.Payment.PaymentStatus.FAILED;
                        r.reason = LightningApi.PaymentFailureReason.FAILURE_REASON_TIMEOUT;
                    }
                }
            }
        }
    }

    /** Stops and starts the server on the same port with the same payment database. */
    void restart(boolean hangingSucceed) throws IOException, InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        resolveHanging(hangingSucceed);
        start(port);
    }

    /** Stops the server (LND down); hanging payments stay in flight. */
    void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port with the same payment database. */
    void startAgain() throws IOException {
        start(port);
    }

    int maxSettledPerHash() {
        return payments.values().stream().mapToInt(r -> r.settled).max().orElse(0);
    }

    long totalSettledMsat() {
        return payments.values().stream().mapToLong(r -> r.settled * r.amountMsat).sum();
    }

    /** Sends the treasury made for a hash LND had already paid or was paying: must stay 0. */
    int duplicateAttempts() {
        return payments.values().stream().mapToInt(r -> r.duplicateAttempts).sum();
    }

    int sends() {
        return payments.values().stream().mapToInt(r -> r.sends).sum();
    }

    private void start(int p) throws IOException {
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String m = headers.get(MACAROON);
                if (m == null) {
                    call.close(Status.UNKNOWN.withDescription("expected 1 macaroon, got 0"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                if (!m.equals(macaroonHex)) {
                    call.close(Status.UNKNOWN.withDescription("verification failed: signature mismatch after caveat verification"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                if (walletLocked) {
                    call.close(Status.UNKNOWN.withDescription("wallet locked, unlock it to enable full RPC access"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                calls.merge(call.getMethodDescriptor().getBareMethodName(), 1, Integer::sum);
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", p))
                .sslContext(GrpcSslContexts.forServer(certPem.toFile(), keyPem.toFile()).build())
                .addService(io.grpc.ServerInterceptors.intercept(new Lightning(), auth))
                .addService(io.grpc.ServerInterceptors.intercept(new Router(), auth))
                .build().start();
        port = server.getPort();
    }

    private final class Lightning extends LightningGrpc.LightningImplBase {
        @Override
        public void getInfo(LightningApi.GetInfoRequest request, StreamObserver<LightningApi.GetInfoResponse> o) {
            o.onNext(LightningApi.GetInfoResponse.newBuilder().setIdentityPubkey("02" + "11".repeat(32)).setAlias("fake-lnd")
                    .setSyncedToChain(true).setNumActiveChannels(2).build());
            o.onCompleted();
        }

        @Override
        public void channelBalance(LightningApi.ChannelBalanceRequest request, StreamObserver<LightningApi.ChannelBalanceResponse> o) {
            o.onNext(LightningApi.ChannelBalanceResponse.newBuilder()
                    .setLocalBalance(LightningApi.Amount.newBuilder().setSat(5_000_000).setMsat(5_000_000_000L))
                    .setRemoteBalance(LightningApi.Amount.newBuilder().setSat(1_000_000).setMsat(1_000_000_000L)).build());
            o.onCompleted();
        }
    }

    private static LightningApi.Payment payment(String hash, Rec r, long fee) {
        return LightningApi.Payment.newBuilder().setPaymentHash(hash).setStatus(r.status).setValueMsat(r.amountMsat)
                .setFeeMsat(r.status == LightningApi.Payment.PaymentStatus.SUCCEEDED ? fee : 0)
                .setFailureReason(r.reason).build();
    }

    private final class Router extends RouterGrpc.RouterImplBase {
        @Override
        public void sendPaymentV2(RouterOuterClass.SendPaymentRequest req, StreamObserver<LightningApi.Payment> o) {
            String hash;
            long amount;
            if (!req.getPaymentRequest().isEmpty()) {
                Bolt11Invoice inv;
                try {
                    inv = Bolt11Invoice.decode(req.getPaymentRequest());
                } catch (IllegalArgumentException e) {
                    o.onError(Status.UNKNOWN.withDescription("invalid payment request").asRuntimeException());
                    return;
                }
                hash = inv.paymentHashHex();
                amount = inv.amountMsat().orElse(req.getAmtMsat());
            } else {
                hash = HexFormat.of().formatHex(req.getPaymentHash().toByteArray());
                amount = req.getAmtMsat();
                ByteString pre = req.getDestCustomRecordsMap().get(LightningNode.KEYSEND_RECORD);
                if (pre == null || !HexFormat.of().formatHex(Bolt11Invoice.sha256(pre.toByteArray())).equals(hash)) {
                    o.onError(Status.UNKNOWN.withDescription("keysend preimage does not match the hash").asRuntimeException());
                    return;
                }
            }
            if (amount <= 0) {
                o.onError(Status.UNKNOWN.withDescription("amount must be specified").asRuntimeException());
                return;
            }
            Mode mode = next();
            synchronized (log) {
                log.add(mode + " " + hash);
            }
            if (mode == Mode.DROP_BEFORE_RECORD) {
                o.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
                return;
            }
            if (mode == Mode.REJECT) {
                o.onError(Status.UNKNOWN.withDescription("invoice expired").asRuntimeException());
                return;
            }
            Rec r = payments.computeIfAbsent(hash, h -> new Rec());
            synchronized (r) {
                if (r.status == LightningApi.Payment.PaymentStatus.SUCCEEDED || r.status == LightningApi.Payment.PaymentStatus.IN_FLIGHT) {
                    r.duplicateAttempts++;
                }
                if (r.status == LightningApi.Payment.PaymentStatus.SUCCEEDED) {
                    o.onError(Status.ALREADY_EXISTS.withDescription("invoice is already paid").asRuntimeException());
                    return;
                }
                if (r.status == LightningApi.Payment.PaymentStatus.IN_FLIGHT) {
                    o.onError(Status.ALREADY_EXISTS.withDescription("payment is in transition").asRuntimeException());
                    return;
                }
                r.sends++;
                r.amountMsat = amount;
                r.reason = LightningApi.PaymentFailureReason.FAILURE_REASON_NONE;
                switch (mode) {
                    case SUCCEED, DROP_AFTER_SUCCESS -> {
                        if (req.getFeeLimitMsat() < feeMsat) {
                            r.status = LightningApi.Payment.PaymentStatus.FAILED;
                            r.reason = LightningApi.PaymentFailureReason.FAILURE_REASON_NO_ROUTE;
                        } else {
                            r.status = LightningApi.Payment.PaymentStatus.SUCCEEDED;
                            r.settled++;
                        }
                    }
                    case NO_ROUTE -> {
                        r.status = LightningApi.Payment.PaymentStatus.FAILED;
                        r.reason = LightningApi.PaymentFailureReason.FAILURE_REASON_NO_ROUTE;
                    }
                    case INSUFFICIENT_BALANCE -> {
                        r.status = LightningApi.Payment.PaymentStatus.FAILED;
                        r.reason = LightningApi.PaymentFailureReason.FAILURE_REASON_INSUFFICIENT_BALANCE;
                    }
                    case HANG -> r.status = LightningApi.Payment.PaymentStatus.IN_FLIGHT;
                    default -> throw new IllegalStateException();
                }
                if (mode == Mode.HANG) {
                    return; // never answers: the client's deadline fires
                }
                if (mode == Mode.DROP_AFTER_SUCCESS) {
                    o.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
                    return;
                }
                o.onNext(payment(hash, r, feeMsat));
            }
            o.onCompleted();
        }

        @Override
        public void trackPaymentV2(RouterOuterClass.TrackPaymentRequest req, StreamObserver<LightningApi.Payment> o) {
            String hash = HexFormat.of().formatHex(req.getPaymentHash().toByteArray());
            Rec r = payments.get(hash);
            if (r == null) {
                o.onError(Status.NOT_FOUND.withDescription("payment isn't initiated").asRuntimeException());
                return;
            }
            synchronized (r) {
                o.onNext(payment(hash, r, feeMsat));
                if (r.status == LightningApi.Payment.PaymentStatus.IN_FLIGHT) {
                    return; // stays open until the client's deadline
                }
            }
            o.onCompleted();
        }
    }

    /** A self-signed EC certificate for 127.0.0.1/localhost made with the JDK's keytool, written as PEM. */
    private void selfSigned(Path dir) throws Exception {
        Path ks = dir.resolve("fake-lnd.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "lnd", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost,O=fake-lnd", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            k.load(in, "changeit".toCharArray());
        }
        Certificate cert = k.getCertificate("lnd");
        Key key = k.getKey("lnd", "changeit".toCharArray());
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(certPem, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
