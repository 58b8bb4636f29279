package io.litefleet.api.replica;

import io.litefleet.api.Settings;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Creates {@link ReplicaClient}s of one storage type. Found by {@link java.util.ServiceLoader}; stateless and
 * thread-safe. The registry rejects two providers with the same {@link #type()}.
 */
public interface ReplicaClientProvider {

    /** The {@code type:} value this provider serves, for example {@code s3}; lower case, unique. */
    String type();

    /** URL schemes this provider accepts in {@code litefleet replicate <db> <url>}, for example {@code s3}. */
    Set<String> schemes();

    /**
     * The keys a replica section of this type accepts, besides the engine's own ({@code type}, {@code url},
     * {@code name}, {@code sync-interval}, ...): every spelling upstream Litestream v0.5 reads for this backend
     * ({@code path}, {@code bucket}, {@code region}, ...) plus this provider's own. The engine checks every replica
     * section against this set before {@link #target} or {@link #create} sees it, and refuses any other key with a
     * message naming the file, line, key and the accepted keys; the top-level replica defaults of a config file
     * (upstream's {@code bucket:}, {@code region:}, ... at the top) apply to a replica of this type only for keys
     * in this set. Constant; never null.
     */
    Set<String> keys();

    /** Where upstream Litestream keeps LTX files for this backend. */
    ReplicaLayout layout();

    /**
     * Turns a replica URL into this provider's settings plus the database's replica path within the destination.
     * The path is the URL's percent-decoded path. A fragment is refused ({@link ReplicaUrl#rejectFragment}), and so
     * is a query, except the parameters upstream Litestream reads for this backend ({@link ReplicaUrl#rejectQuery}).
     *
     * @throws io.litefleet.api.ConfigException when the URL is not usable, naming it (password masked) and the
     *                                          offending part
     */
    UrlTarget parseUrl(URI url);

    /**
     * Splits a replica config section (Litestream's keys: {@code bucket}, {@code path}, {@code region}, ...; the
     * engine's own keys such as {@code type}, {@code url} and {@code sync-interval} already removed) into the
     * destination's settings and the database's path inside it. The default takes {@code path} as the database
     * path and everything else as the destination; backends whose {@code path} names the destination itself
     * (the {@code file} backend) override this.
     *
     * @throws io.litefleet.api.ConfigException naming the section and key when the section is unusable
     */
    default UrlTarget target(Settings section) {
        java.util.Map<String, Object> destination = new java.util.LinkedHashMap<>(section.values());
        destination.remove("path");
        String path = UrlTarget.cleanPath(section.string("path").orElse(""));
        return new UrlTarget(destination, path);
    }

    /**
     * Opens a client for one destination.
     *
     * @param settings this provider's own section (the destination keys only, not the database path)
     * @throws io.litefleet.api.ConfigException for unknown keys or bad values, naming them
     */
    ReplicaClient create(Settings settings) throws ReplicaException;

    /**
     * A parsed replica URL.
     *
     * @param destination settings that identify the destination (bucket, endpoint, root directory)
     * @param path        the database's replica path inside the destination, without leading or trailing slash
     */
    record UrlTarget(Map<String, Object> destination, String path) {
        /** Copies the destination settings and checks the path's shape. */
        public UrlTarget {
            destination = Map.copyOf(destination);
            java.util.Objects.requireNonNull(path, "path");
            if (path.startsWith("/") || path.endsWith("/")) {
                throw new IllegalArgumentException("path must have no leading or trailing '/': '" + path + "'");
            }
        }

        /**
         * A URL's path the way upstream reads it ({@code strings.TrimPrefix(path.Clean(u.Path), "/")}): {@code .}
         * and empty segments dropped, {@code ..} applied (never above the root), no leading or trailing slash.
         */
        public static String cleanPath(String urlPath) {
            java.util.Deque<String> segments = new java.util.ArrayDeque<>();
            for (String s : (urlPath == null ? "" : urlPath).split("/")) {
                if (s.equals("..")) {
                    segments.pollLast();
                } else if (!s.isEmpty() && !s.equals(".")) {
                    segments.addLast(s);
                }
            }
            return String.join("/", segments);
        }
    }
}
