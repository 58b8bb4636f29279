package io.litefleet.api.replica;

/**
 * The one rule every backend applies to keys, so all of them reject the same bad shapes with the same message.
 *
 * <p>A key is one or more {@code /}-separated segments; it never starts with {@code /}, never holds an empty,
 * {@code .} or {@code ..} segment, a backslash or a control character (NUL included). Such keys would mean
 * different objects on different stores (or escape a file root), so they are refused with
 * {@link ReplicaFailure#INVALID} before any I/O. Stateless; safe from any thread.
 */
public final class ReplicaKey {
    private ReplicaKey() {
    }

    /**
     * Checks an object key.
     *
     * @return the key, unchanged
     * @throws ReplicaException of kind {@link ReplicaFailure#INVALID} naming the key and what is wrong with it
     */
    public static String check(String key) throws ReplicaException {
        if (key == null || key.isEmpty()) {
            throw invalid(key, "must not be empty");
        }
        if (key.endsWith("/")) {
            throw invalid(key, "must not end with '/'");
        }
        checkSegments(key);
        return key;
    }

    /**
     * Checks a listing prefix: empty (everything), or a key, or a key followed by {@code /}, or a key whose last
     * segment is cut short ({@code ltx/0/00000}).
     *
     * @return the prefix, unchanged
     * @throws ReplicaException of kind {@link ReplicaFailure#INVALID} naming the prefix
     */
    public static String checkPrefix(String prefix) throws ReplicaException {
        if (prefix == null) {
            throw invalid(null, "must not be null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        checkSegments(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }

    private static void checkSegments(String key) throws ReplicaException {
        if (key.startsWith("/")) {
            throw invalid(key, "must be relative (no leading '/')");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw invalid(key, "must not contain control characters (found 0x"
                        + Integer.toHexString(c) + " at index " + i + ")");
            }
            if (c == '\\') {
                throw invalid(key, "must not contain '\\' (use '/' to separate segments)");
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                throw invalid(key, "must not contain empty segments ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw invalid(key, "must not contain '" + segment + "' segments");
            }
        }
    }

    private static ReplicaException invalid(String key, String problem) {
        return new ReplicaException(ReplicaFailure.INVALID,
                "bad key " + (key == null ? "null" : "'" + printable(key) + "'") + ": " + problem);
    }

    private static String printable(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
