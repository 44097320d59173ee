package org.hyperhash.daemon;

import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

import java.nio.charset.StandardCharsets;

/**
 * A logback encoder that passes every encoded line (message and stack trace included) through
 * {@link Redact#text}, so credentials inside URLs never reach the log whatever code logged them.
 * Wraps another encoder:
 * <pre>{@code
 * <encoder class="org.hyperhash.daemon.RedactingEncoder">
 *   <delegate class="ch.qos.logback.classic.encoder.PatternLayoutEncoder"><pattern>%msg%n</pattern></delegate>
 * </encoder>}</pre>
 */
public final class RedactingEncoder<E> extends EncoderBase<E> {
    private Encoder<E> delegate;

    public void setDelegate(Encoder<E> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void start() {
        if (delegate == null) {
            addError("RedactingEncoder needs a <delegate> encoder");
            return;
        }
        if (!delegate.isStarted()) {
            delegate.setContext(getContext());
            delegate.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate == null ? null : delegate.headerBytes();
    }

    @Override
    public byte[] encode(E event) {
        byte[] raw = delegate.encode(event);
        if (raw == null) {
            return null;
        }
        String s = new String(raw, StandardCharsets.UTF_8);
        String r = Redact.text(s);
        return r.equals(s) ? raw : r.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return delegate == null ? null : delegate.footerBytes();
    }
}
