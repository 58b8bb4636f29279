package io.litefleet.discovery.glob;

import java.util.Objects;
import java.util.regex.Pattern;

/** One {@code /}-separated segment of a {@link GlobPattern}; {@link PatternMatcher} matches names against it. */
sealed interface Segment {

    /** A segment without wildcards: resolved directly, never listed. */
    record Literal(String name) implements Segment {
        /** Validates. */
        public Literal {
            Objects.requireNonNull(name, "name");
        }

    }

    /**
     * A segment with wildcards ({@code *}, {@code ?}, {@code [...]}, {@code {name}}): the directory holding it is
     * listed and each entry name is matched against {@code regex}, whose groups are the segment's captures.
     *
     * @param glob         the segment as written
     * @param regex        the compiled form; group {@code j} (1-based) is capture {@code firstCapture + j - 1}
     * @param firstCapture index of the segment's first capture among all captures of the pattern
     * @param captures     number of captures in this segment (at least 1)
     */
    record Wildcard(String glob, Pattern regex, int firstCapture, int captures) implements Segment {
        /** Validates. */
        public Wildcard {
            Objects.requireNonNull(glob, "glob");
            Objects.requireNonNull(regex, "regex");
            if (firstCapture < 0 || captures < 1) {
                throw new IllegalArgumentException("bad capture range " + firstCapture + "+" + captures);
            }
        }

    }

    /** {@code **}: any number (zero or more) of directories. Not a variable. */
    record AnyDirectories() implements Segment {
        /** The one instance. */
        static final AnyDirectories INSTANCE = new AnyDirectories();

    }
}
