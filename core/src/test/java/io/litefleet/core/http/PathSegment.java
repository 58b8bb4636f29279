package io.litefleet.core.http;

import java.nio.charset.StandardCharsets;

/** How a client encodes a database path for {@code /v1/databases/{path}} (as JavaScript's encodeURIComponent). */
final class PathSegment {
    private PathSegment() {
    }

    /** {@code text} percent-encoded as one path segment ({@code /} as {@code %2F}); unreserved characters kept. */
    static String encode(String text) {
        StringBuilder b = new StringBuilder();
        for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
