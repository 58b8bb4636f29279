package io.litefleet.discovery.glob;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A parsed discovery pattern such as {@code /data/*}{@code /databases/*}{@code /tenants/{tenant}.db}. Immutable and
 * thread-safe; matching state lives in a {@link PatternMatcher}.
 *
 * <p>Syntax, per {@code /}-separated segment: {@code *} (any run of characters, possibly empty), {@code ?} (one
 * character), {@code [abc]}, {@code [a-z]}, {@code [!abc]} (one character of a set), {@code {name}} (a named capture
 * of one or more characters; a whole segment or part of one) and {@code **} as a whole segment (zero or more
 * directories). A backslash makes the next character literal. Every {@code *}, {@code ?}, {@code [...]} and {@code {name}} is a capture; {@code **} is not.
 * See {@link GlobPatternParser} for the variable names the captures get.
 *
 * @param text          the pattern as configured
 * @param segments      the segments after the leading {@code /}; the last one names files and is never {@code **}
 * @param variableNames the variable name of each capture, in pattern order
 */
record GlobPattern(String text, List<Segment> segments, List<String> variableNames) {

    /** Validates and copies. */
    GlobPattern {
        Objects.requireNonNull(text, "text");
        segments = List.copyOf(segments);
        variableNames = List.copyOf(variableNames);
        if (segments.isEmpty() || segments.getLast() instanceof Segment.AnyDirectories) {
            throw new IllegalArgumentException("a pattern must end in a file name: " + text);
        }
    }

    /** Parses {@code text}; see {@link GlobPatternParser#parse}. */
    static GlobPattern parse(String text) {
        return GlobPatternParser.parse(text);
    }

    /** Number of segments. */
    int size() {
        return segments.size();
    }

    /** Segment {@code i}. */
    Segment segment(int i) {
        return segments.get(i);
    }

    /** Whether segment {@code i} is the last one (the file name). */
    boolean isLast(int i) {
        return i == segments.size() - 1;
    }

    /** Number of captures (variables) a match carries. */
    int captureCount() {
        return variableNames.size();
    }

    /**
     * The number of leading literal directory segments: the walk starts in the directory they name without listing
     * anything above it. The file segment is never counted.
     */
    int literalPrefixLength() {
        int n = 0;
        while (n < segments.size() - 1 && segments.get(n) instanceof Segment.Literal) {
            n++;
        }
        return n;
    }

    /** The directory named by the first {@code length} segments, below {@code root}. */
    Path directory(Path root, int length) {
        Path dir = root;
        for (int i = 0; i < length; i++) {
            dir = dir.resolve(((Segment.Literal) segments.get(i)).name());
        }
        return dir;
    }

    @Override
    public String toString() {
        return text;
    }
}
