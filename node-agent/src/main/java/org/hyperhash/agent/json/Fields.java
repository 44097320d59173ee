package org.hyperhash.agent.json;

import java.util.List;
import java.util.Map;

/** Typed access to parsed JSON members; every failure names the field. */
public final class Fields {
    private Fields() {
    }

    /** A missing or mistyped field; the message names it. */
    public static final class FieldException extends IllegalArgumentException {
        public FieldException(String message) {
            super(message);
        }
    }

    private static Object required(Map<String, Object> m, String ctx, String name) {
        Object v = m.get(name);
        if (v == null || v == Json.NULL) {
            throw new FieldException(ctx + "." + name + " is missing");
        }
        return v;
    }

    public static String string(Map<String, Object> m, String ctx, String name) {
        if (required(m, ctx, name) instanceof String s) {
            return s;
        }
        throw new FieldException(ctx + "." + name + " must be a string");
    }

    public static String optString(Map<String, Object> m, String ctx, String name, String dflt) {
        return m.containsKey(name) ? string(m, ctx, name) : dflt;
    }

    public static long integer(Map<String, Object> m, String ctx, String name) {
        if (required(m, ctx, name) instanceof Long l) {
            return l;
        }
        throw new FieldException(ctx + "." + name + " must be an integer");
    }

    public static boolean optBool(Map<String, Object> m, String ctx, String name, boolean dflt) {
        if (!m.containsKey(name)) {
            return dflt;
        }
        if (m.get(name) instanceof Boolean b) {
            return b;
        }
        throw new FieldException(ctx + "." + name + " must be true or false");
    }

    public static List<Object> list(Map<String, Object> m, String ctx, String name) {
        if (required(m, ctx, name) instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> r = (List<Object>) l;
            return r;
        }
        throw new FieldException(ctx + "." + name + " must be an array");
    }

    public static Map<String, Object> object(Map<String, Object> m, String ctx, String name) {
        return asObject(required(m, ctx, name), ctx + "." + name);
    }

    public static Map<String, Object> asObject(Object v, String ctx) {
        if (v instanceof Map<?, ?> o) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) o;
            return r;
        }
        throw new FieldException(ctx + " must be an object");
    }
}
