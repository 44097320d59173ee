package org.hyperhash.translator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import org.hyperhash.sv1.Sv1Json;

/** Builds SV1 params arrays in tests. */
final class Sv1JsonParams {
    private Sv1JsonParams() {
    }

    static ArrayNode of(Object... values) {
        ArrayNode a = Sv1Json.MAPPER.createArrayNode();
        for (Object v : values) {
            a.add(Sv1Json.MAPPER.valueToTree(v) instanceof com.fasterxml.jackson.databind.JsonNode n ? n : null);
        }
        return a;
    }
}
