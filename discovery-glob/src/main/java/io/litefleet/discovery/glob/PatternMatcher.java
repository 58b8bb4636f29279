package io.litefleet.discovery.glob;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Mutable matching state for one {@link GlobPattern}: one reusable {@link Matcher} per wildcard segment and the
 * captured values. Not thread-safe: each scan, probe and watch thread uses its own.
 */
final class PatternMatcher {
    private final GlobPattern pattern;
    private final Matcher[] matchers;
    private final String[] captures;

    PatternMatcher(GlobPattern pattern) {
        this.pattern = pattern;
        this.matchers = new Matcher[pattern.size()];
        for (int i = 0; i < matchers.length; i++) {
            if (pattern.segment(i) instanceof Segment.Wildcard w) {
                matchers[i] = w.regex().matcher("");
            }
        }
        this.captures = new String[pattern.captureCount()];
    }

    GlobPattern pattern() {
        return pattern;
    }

    /** Whether {@code name} matches segment {@code i}; on a match, records the segment's captures. */
    boolean capture(int i, String name) {
        return switch (pattern.segment(i)) {
            case Segment.Literal l -> l.name().equals(name);
            case Segment.AnyDirectories any -> true;
            case Segment.Wildcard w -> {
                Matcher m = matchers[i].reset(name);
                if (!m.matches()) {
                    yield false;
                }
                for (int j = 0; j < w.captures(); j++) {
                    captures[w.firstCapture() + j] = m.group(j + 1);
                }
                yield true;
            }
        };
    }

    /** Whether {@code name} matches segment {@code i}, without recording captures (allocates nothing). */
    boolean accepts(int i, String name) {
        return switch (pattern.segment(i)) {
            case Segment.Literal l -> l.name().equals(name);
            case Segment.AnyDirectories any -> true;
            case Segment.Wildcard w -> matchers[i].reset(name).matches();
        };
    }

    /**
     * Whether the whole absolute, normalised {@code path} matches the pattern; on a match the captures hold its
     * values. No I/O.
     */
    boolean matches(Path path) {
        int count = path.getNameCount();
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            names[i] = path.getName(i).toString();
        }
        return path.isAbsolute() && match(0, names, 0);
    }

    private boolean match(int segment, String[] names, int at) {
        if (segment == pattern.size()) {
            return at == names.length;
        }
        if (pattern.segment(segment) instanceof Segment.AnyDirectories) {
            // '**' takes directories only, never the file name: the last segment must take that
            for (int skip = at; skip < names.length; skip++) {
                if (match(segment + 1, names, skip)) {
                    return true;
                }
            }
            return false;
        }
        return at < names.length && capture(segment, names[at]) && match(segment + 1, names, at + 1);
    }

    /** The variables of the last match, keyed by {@link GlobPattern#variableNames()}. */
    Map<String, String> variables() {
        Map<String, String> vars = HashMap.newHashMap(captures.length);
        for (int k = 0; k < captures.length; k++) {
            vars.put(pattern.variableNames().get(k), captures[k]);
        }
        return vars;
    }
}
