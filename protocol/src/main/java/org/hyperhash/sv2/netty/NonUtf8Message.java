package org.hyperhash.sv2.netty;

import java.util.Objects;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * A message with a STR0_255 field that is not UTF-8, delivered by {@link MessageCodecHandler} instead of closing
 * the connection (SRI carries such strings as raw bytes). {@code message} was decoded with U+FFFD replacement
 * characters: answer it with its own error (OpenMiningChannel.Error invalid-user-identity, ...) and do not act
 * on the replaced strings.
 *
 * @param message the message, strings lossily decoded
 * @param field the first field that was not UTF-8 (for a log line)
 */
public record NonUtf8Message(Sv2Message message, String field) {
    public NonUtf8Message {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(field, "field");
    }
}
