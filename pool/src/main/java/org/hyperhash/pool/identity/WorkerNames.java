package org.hyperhash.pool.identity;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.framing.TlvCodec;

/** Worker names from extension 0x0002's user_identity TLV. */
public final class WorkerNames {
    private WorkerNames() {
    }

    /**
     * The worker name a user_identity TLV value carries, or null when it cannot be used: empty, longer than 32
     * bytes (the extension's limit), not UTF-8, or with characters a worker name may not contain
     * ({@link UserIdentityParser#validWorker}).
     */
    public static String fromTlv(Bytes value) {
        if (value.length() == 0 || value.length() > TlvCodec.MAX_USER_IDENTITY_BYTES) {
            return null;
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value.unsafeArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return UserIdentityParser.validWorker(s) ? s : null;
    }
}
