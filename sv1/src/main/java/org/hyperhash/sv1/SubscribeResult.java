package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.hyperhash.base.Bytes;

import java.util.Objects;

/**
 * {@code mining.subscribe} result: {@code [[["mining.set_difficulty", id], ["mining.notify", id]],
 * extranonce1_hex, extranonce2_size]}.
 *
 * @param setDifficultySubscriptionId id of the set_difficulty subscription
 * @param notifySubscriptionId id of the notify subscription (also the session-resume id miners send back)
 * @param extranonce1 per-connection extranonce1
 * @param extranonce2Size bytes the miner rolls
 */
public record SubscribeResult(String setDifficultySubscriptionId, String notifySubscriptionId, Bytes extranonce1,
        int extranonce2Size) {

    public SubscribeResult {
        Objects.requireNonNull(setDifficultySubscriptionId);
        Objects.requireNonNull(notifySubscriptionId);
        Objects.requireNonNull(extranonce1);
        if (extranonce2Size < 0 || extranonce2Size > 32) {
            throw new IllegalArgumentException("extranonce2Size out of range: " + extranonce2Size);
        }
    }

    public ArrayNode toJson() {
        ArrayNode r = JsonNodeFactory.instance.arrayNode();
        ArrayNode subs = r.addArray();
        subs.addArray().add("mining.set_difficulty").add(setDifficultySubscriptionId);
        subs.addArray().add("mining.notify").add(notifySubscriptionId);
        r.add(extranonce1.toHex());
        r.add(extranonce2Size);
        return r;
    }

    /** Parses a subscribe result (client side). */
    public static SubscribeResult fromJson(JsonNode r) throws Sv1ParseException {
        if (r == null || !r.isArray() || r.size() < 3) {
            throw new Sv1ParseException("mining.subscribe result: expected [subscriptions, extranonce1, extranonce2_size]");
        }
        String diffId = "";
        String notifyId = "";
        JsonNode subs = r.get(0);
        if (subs.isArray()) {
            for (JsonNode s : subs) {
                if (s.isArray() && s.size() >= 2) {
                    if ("mining.set_difficulty".equals(s.get(0).asText())) {
                        diffId = s.get(1).asText();
                    } else if ("mining.notify".equals(s.get(0).asText())) {
                        notifyId = s.get(1).asText();
                    }
                }
            }
        }
        Bytes en1 = Sv1Hex.parseBytes("mining.subscribe result[1] extranonce1", r.get(1), -1);
        if (!r.get(2).isIntegralNumber()) {
            throw new Sv1ParseException("mining.subscribe result[2] extranonce2_size: expected an integer");
        }
        return new SubscribeResult(diffId, notifyId, en1, r.get(2).asInt());
    }
}
