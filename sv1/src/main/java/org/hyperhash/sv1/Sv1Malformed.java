package org.hyperhash.sv1;

/**
 * Passed up the pipeline instead of a message when a line is not valid SV1 JSON-RPC; the
 * application replies with a JSON-RPC error (id null) and decides whether to disconnect.
 *
 * @param reason what was wrong (bounded length, no raw input beyond a short excerpt)
 */
public record Sv1Malformed(String reason) {
}
