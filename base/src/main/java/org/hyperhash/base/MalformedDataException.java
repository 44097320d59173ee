package org.hyperhash.base;

/**
 * Bitcoin serialized data could not be parsed: truncated, over-long or inconsistent. The message
 * names the field and the offset. Unchecked because callers on the hot path treat it as a
 * rejection reason, not as an I/O failure.
 */
public final class MalformedDataException extends IllegalArgumentException {
    private final String field;

    public MalformedDataException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    /** The name of the field that could not be read. */
    public String field() {
        return field;
    }
}
