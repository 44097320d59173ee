package org.hyperhash.sv2.channel;

/** A channel cannot be opened; reply OpenMiningChannel.Error with {@link #errorCode()}. */
public final class ChannelOpenException extends Exception {
    private final String errorCode;

    public ChannelOpenException(String errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public String errorCode() {
        return errorCode;
    }
}
