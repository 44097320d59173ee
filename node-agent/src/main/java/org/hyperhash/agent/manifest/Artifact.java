package org.hyperhash.agent.manifest;

import java.net.URI;
import java.util.HexFormat;

/**
 * One file of a release.
 *
 * @param name        relative path inside the release directory ({@code cli/target/hh-cli.jar}); segments of
 *                    {@code [A-Za-z0-9._+-]}, no {@code .}/{@code ..}, not absolute
 * @param length      exact length in bytes
 * @param sha256      SHA-256 of the content (32 bytes)
 * @param url         where to download it (absolute http/https, or relative to the manifest URL)
 * @param executable  set the owner/group/other execute bits after install
 * @param unpack      a zip archive to extract into the release directory (then {@code name} is only a label)
 */
public record Artifact(String name, long length, byte[] sha256, URI url, boolean executable, boolean unpack) {
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    /** Validates a relative path of a release file; throws naming the field. */
    static void checkPath(String path, String field) {
        if (path.isEmpty() || path.length() > 255 || path.startsWith("/")) {
            throw new IllegalArgumentException(field + " must be a relative path of 1..255 characters");
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || !seg.matches("[A-Za-z0-9._+-]+")) {
                throw new IllegalArgumentException(field + " has an invalid path segment \"" + seg + "\"");
            }
        }
    }
}
