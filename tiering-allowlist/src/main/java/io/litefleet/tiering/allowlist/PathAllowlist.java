package io.litefleet.tiering.allowlist;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Absolute globs of database paths, in {@link java.nio.file.FileSystem#getPathMatcher} glob syntax: {@code *} and
 * {@code ?} stay within one directory, {@code **} crosses directories, {@code {a,b}} and {@code [...]} as usual.
 *
 * @param globs    the globs as configured
 * @param matchers one matcher per glob
 */
record PathAllowlist(List<String> globs, List<PathMatcher> matchers) {
    PathAllowlist {
        globs = List.copyOf(globs);
        matchers = List.copyOf(matchers);
    }

    /** The globs under {@code key}: at least one, each absolute and well formed, or an error naming it. */
    static PathAllowlist of(Settings settings, String key) {
        List<String> globs = settings.strings(key);
        if (globs.isEmpty()) {
            throw new ConfigException(settings.origin() + ": key '" + key + "'" + settings.at(key)
                    + " must list at least one glob");
        }
        List<PathMatcher> matchers = new ArrayList<>(globs.size());
        for (String glob : globs) {
            if (!glob.startsWith("/")) {
                throw new ConfigException(settings.origin() + ": key '" + key + "'" + settings.at(key)
                        + " must hold absolute globs, got '" + glob + "'");
            }
            try {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            } catch (PatternSyntaxException e) {
                throw new ConfigException(settings.origin() + ": key '" + key + "'" + settings.at(key)
                        + " holds a bad glob '" + glob + "': " + e.getDescription());
            }
        }
        return new PathAllowlist(globs, matchers);
    }

    /** Whether {@code path} (absolute, normalised) matches one of the globs. */
    boolean matches(Path path) {
        for (PathMatcher m : matchers) {
            if (m.matches(path)) {
                return true;
            }
        }
        return false;
    }
}
