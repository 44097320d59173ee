package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.Objects;

/**
 * One SV1 JSON-RPC line. Ids are kept as the JSON value the peer sent (number, string, null, any
 * type) and echoed back unchanged.
 */
public sealed interface Sv1Message permits Sv1Message.Request, Sv1Message.Response {

    /**
     * A method call. Server-to-client notifications ({@code mining.notify}, {@code mining.set_difficulty}
     * ...) are requests with a null id.
     *
     * @param id the peer's id (never Java null: {@link NullNode} when absent)
     * @param method method name, e.g. {@code mining.submit}
     * @param params positional parameters (an empty array when absent)
     */
    record Request(JsonNode id, String method, ArrayNode params) implements Sv1Message {
        public Request {
            id = id == null ? NullNode.getInstance() : id;
            Objects.requireNonNull(method, "method");
            params = params == null ? JsonNodeFactory.instance.arrayNode() : params;
        }

        /** A notification (id null). */
        public static Request notification(String method, ArrayNode params) {
            return new Request(NullNode.getInstance(), method, params);
        }

        public boolean isNotification() {
            return id.isNull();
        }
    }

    /**
     * A reply. Exactly one of result / error is meaningful; {@code result} is JSON null when
     * {@code error} is present.
     *
     * @param id echoed request id
     * @param result the result value (JSON null on error)
     * @param error the error or null
     */
    record Response(JsonNode id, JsonNode result, Sv1Error error) implements Sv1Message {
        public Response {
            id = id == null ? NullNode.getInstance() : id;
            result = result == null ? NullNode.getInstance() : result;
        }

        public static Response ok(JsonNode id, JsonNode result) {
            return new Response(id, result, null);
        }

        public static Response error(JsonNode id, Sv1Error error) {
            return new Response(id, NullNode.getInstance(), Objects.requireNonNull(error, "error"));
        }

        public boolean isError() {
            return error != null;
        }
    }
}
