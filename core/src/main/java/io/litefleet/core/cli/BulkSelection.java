package io.litefleet.core.cli;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.regex.PatternSyntaxException;

/**
 * Which databases a bulk restore or {@code verify} takes, by path: every one, those under a prefix, or those a glob
 * matches ({@code *} within a directory, {@code **} across, as {@link java.nio.file.FileSystem#getPathMatcher}).
 */
sealed interface BulkSelection {
    /** Whether the database at {@code path} (absolute) is taken. */
    boolean matches(Path path);

    /** For messages. */
    String describe();

    /** Every database. */
    record All() implements BulkSelection {
        @Override
        public boolean matches(Path path) {
            return true;
        }

        @Override
        public String describe() {
            return "--all";
        }
    }

    /**
     * The databases whose path starts with {@code prefix} as text ({@code /data/a} takes {@code /data/a/t.db} and
     * {@code /data/ab.db}; end it with {@code /} for one directory).
     */
    record Prefix(String prefix) implements BulkSelection {
        /** Validates. */
        public Prefix {
            if (prefix.isEmpty() || !prefix.startsWith("/")) {
                throw new UserException("invalid --prefix '" + prefix + "': must be an absolute path prefix such as "
                        + "/data/tenants/");
            }
        }

        @Override
        public boolean matches(Path path) {
            return path.toString().startsWith(prefix);
        }

        @Override
        public String describe() {
            return "--prefix " + prefix;
        }
    }

    /** The databases a glob matches. */
    record Glob(String glob, PathMatcher matcher) implements BulkSelection {
        /** Compiles {@code glob}, or a clear error naming it. */
        static Glob of(String glob) {
            if (glob.isEmpty() || !glob.startsWith("/")) {
                throw new UserException("invalid --pattern '" + glob + "': must be an absolute glob such as "
                        + "'/data/*/tenants/*.db'");
            }
            try {
                return new Glob(glob, FileSystems.getDefault().getPathMatcher("glob:" + glob));
            } catch (PatternSyntaxException e) {
                throw new UserException("invalid --pattern '" + glob + "': " + e.getDescription() + " at index "
                        + e.getIndex());
            }
        }

        @Override
        public boolean matches(Path path) {
            return matcher.matches(path);
        }

        @Override
        public String describe() {
            return "--pattern " + glob;
        }
    }

    /**
     * The one selection the flags give, or a clear error when none or several are given.
     *
     * @param all     {@code --all}
     * @param prefix  {@code --prefix}, or null
     * @param pattern {@code --pattern}, or null
     */
    static BulkSelection of(boolean all, String prefix, String pattern) {
        int given = (all ? 1 : 0) + (prefix != null ? 1 : 0) + (pattern != null ? 1 : 0);
        if (given != 1) {
            throw new UserException((given == 0 ? "no databases selected" : "--all, --prefix and --pattern are "
                    + "mutually exclusive") + ": give exactly one of --all, --prefix PATH, --pattern GLOB");
        }
        if (all) {
            return new All();
        }
        return prefix != null ? new Prefix(prefix) : Glob.of(pattern);
    }
}
