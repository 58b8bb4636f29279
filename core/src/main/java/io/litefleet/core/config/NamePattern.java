package io.litefleet.core.config;

/**
 * A directory-mode {@code pattern:} as upstream reads it: Go's {@code filepath.Match} syntax, applied to a file's base
 * name ({@code *}, {@code ?}, {@code [abc]}, {@code [a-z]}, {@code [^a-z]}, {@code \c}), translated into the glob
 * discovery's syntax, where {@code {name}} is a capture, {@code [!...]} negates and {@code **} spans directories.
 * Stateless.
 */
final class NamePattern {
    private NamePattern() {
    }

    /**
     * The glob discovery's spelling of an upstream base-name pattern: the same names match.
     *
     * @throws IllegalArgumentException saying what is wrong, in the terms upstream's {@code filepath.Match} uses
     *                                  ({@code syntax error in pattern}) plus where
     */
    static String toGlob(String pattern) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (pattern.indexOf('/') >= 0) {
            throw new IllegalArgumentException("matches file names, so it must not contain '/' (use recursive: true "
                    + "for subdirectories)");
        }
        StringBuilder out = new StringBuilder(pattern.length() + 8);
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    // Go's ** is two stars within a name; the glob's ** spans directories
                    out.append('*');
                    while (i < pattern.length() && pattern.charAt(i) == '*') {
                        i++;
                    }
                }
                case '?' -> {
                    out.append('?');
                    i++;
                }
                case '\\' -> {
                    out.append('\\').append(escapedAt(pattern, i));
                    i += 2;
                }
                case '[' -> i = characterClass(pattern, i, out);
                default -> {
                    literal(c, out);
                    i++;
                }
            }
        }
        return out.toString();
    }

    /** A directory path as literal glob segments: every character the glob treats specially is escaped. */
    static String literalPath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 8);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                out.append(c);
            } else {
                literal(c, out);
            }
        }
        return out.toString();
    }

    /** Outside {@code [...]}: the characters the glob reads as wildcards or captures are escaped. */
    private static void literal(char c, StringBuilder out) {
        escapeIf("*?[]{}\\", c, out);
    }

    /** Inside {@code [...]}: also those that negate or make a range there. */
    private static void classLiteral(char c, StringBuilder out) {
        escapeIf("*?[]{}\\!^-", c, out);
    }

    private static void escapeIf(String special, char c, StringBuilder out) {
        if (special.indexOf(c) >= 0) {
            out.append('\\');
        }
        out.append(c);
    }

    private static char escapedAt(String pattern, int i) {
        if (i + 1 >= pattern.length()) {
            throw new IllegalArgumentException("syntax error in pattern: it ends in '\\', which escapes nothing");
        }
        return pattern.charAt(i + 1);
    }

    /**
     * Translates {@code [...]} at {@code open} as Go reads it: {@code ^} negates, {@code !} is an ordinary character,
     * {@code \} escapes, a range's ends must be in order, and a class holds at least one character or range.
     */
    private static int characterClass(String pattern, int open, StringBuilder out) {
        int i = open + 1;
        out.append('[');
        if (i < pattern.length() && pattern.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        int ranges = 0;
        while (true) {
            if (i >= pattern.length()) {
                throw new IllegalArgumentException("syntax error in pattern: '[' at " + (open + 1) + " is not closed");
            }
            if (pattern.charAt(i) == ']' && ranges > 0) {
                return appendClose(out, i);
            }
            int[] lo = classChar(pattern, i, open);
            i = lo[1];
            classLiteral((char) lo[0], out);
            if (i < pattern.length() && pattern.charAt(i) == '-') {
                int[] hi = classChar(pattern, i + 1, open);
                if (hi[0] < lo[0]) {
                    throw new IllegalArgumentException("syntax error in pattern: range '" + (char) lo[0] + "-"
                            + (char) hi[0] + "' is reversed");
                }
                out.append('-');
                classLiteral((char) hi[0], out);
                i = hi[1];
            }
            ranges++;
        }
    }

    private static int appendClose(StringBuilder out, int i) {
        out.append(']');
        return i + 1;
    }

    /** One character of a class at {@code i}: {value, next index}; {@code -} and {@code ]} must be escaped. */
    private static int[] classChar(String pattern, int i, int open) {
        if (i >= pattern.length()) {
            throw new IllegalArgumentException("syntax error in pattern: '[' at " + (open + 1) + " is not closed");
        }
        char c = pattern.charAt(i);
        if (c == '-' || c == ']') {
            throw new IllegalArgumentException("syntax error in pattern: '" + c + "' at " + (i + 1) + " must be "
                    + "escaped inside '[...]'");
        }
        if (c == '\\') {
            return new int[] {escapedAt(pattern, i), i + 2};
        }
        return new int[] {c, i + 1};
    }
}
