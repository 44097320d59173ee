package org.hyperhash.sv2.message.extensions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hyperhash.sv2.message.Sv2Message;

/**
 * Server side of extension 0x0001 (Extensions Negotiation): the answer to a RequestExtensions, never a reason to
 * close the connection. Success lists the requested extensions the server supports (possibly all); when none of a
 * non-empty request is supported, Error lists them as unsupported. A server requires no extension, so
 * {@code required_extensions} is always empty.
 */
public final class ExtensionNegotiation {
    /** Extensions Negotiation itself. */
    public static final int EXTENSIONS_NEGOTIATION = 0x0001;
    /** Worker-Specific Hashrate Tracking (user_identity TLV on SubmitSharesExtended). */
    public static final int WORKER_HASHRATE_TRACKING = 0x0002;

    private ExtensionNegotiation() {
    }

    /**
     * @param request the client's RequestExtensions
     * @param supported extensions this server implements
     * @return RequestExtensions.Success or RequestExtensions.Error for the same request_id
     */
    public static Sv2Message answer(RequestExtensions request, Set<Integer> supported) {
        List<Integer> ok = new ArrayList<>();
        List<Integer> unsupported = new ArrayList<>();
        for (int e : new LinkedHashSet<>(request.requestedExtensions())) {
            (supported.contains(e) ? ok : unsupported).add(e);
        }
        if (ok.isEmpty() && !unsupported.isEmpty()) {
            return new RequestExtensionsError(request.requestId(), unsupported, List.of());
        }
        return new RequestExtensionsSuccess(request.requestId(), ok);
    }

    /** The extensions a Success agreed on (empty for an Error). */
    public static Set<Integer> agreed(Sv2Message answer) {
        return answer instanceof RequestExtensionsSuccess s ? Set.copyOf(s.supportedExtensions()) : Set.of();
    }
}
