package io.litefleet.core.config;

/** Whether a captured value may go into a replica path. Stateless; no allocation on the accepted path. */
final class ValueCheck {
    private ValueCheck() {
    }

    /**
     * Why {@code value} cannot be used, or {@code null} when it can: it must be present and non-empty, hold no
     * control character, and every {@code /}-separated segment must be non-empty and neither {@code .} nor
     * {@code ..} (so a value can neither climb out of the replica prefix nor collapse into a neighbour's path).
     */
    static String problem(String value) {
        if (value == null) {
            return "has no value (the discovery did not capture this variable)";
        }
        if (value.isEmpty()) {
            return "is empty";
        }
        int segmentStart = 0;
        for (int i = 0; i <= value.length(); i++) {
            char c = i == value.length() ? '/' : value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "holds a control character: '" + printable(value) + "'";
            }
            if (c == '/') {
                String why = segment(value, segmentStart, i);
                if (why != null) {
                    return why + ": '" + value + "'";
                }
                segmentStart = i + 1;
            }
        }
        return null;
    }

    private static String segment(String v, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return "has an empty path segment";
        }
        if (v.charAt(from) == '.' && (n == 1 || (n == 2 && v.charAt(from + 1) == '.'))) {
            return "has a '.' or '..' path segment";
        }
        return null;
    }

    private static String printable(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
