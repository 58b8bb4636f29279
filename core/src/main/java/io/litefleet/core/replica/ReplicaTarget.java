package io.litefleet.core.replica;

import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.util.Objects;

/**
 * Where one database replicates: a client shared by every database of that destination, the backend's layout and
 * the database's own path inside the destination.
 *
 * @param client the shared client; owned by whoever created it, not by this record
 * @param layout where Litestream keeps LTX files on this backend
 * @param path   the database's replica path, without leading or trailing {@code /} (may be empty)
 */
public record ReplicaTarget(ReplicaClient client, ReplicaLayout layout, String path) {
    /** Validates and normalises the path. */
    public ReplicaTarget {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(layout, "layout");
        path = trimSlashes(Objects.requireNonNull(path, "path"));
    }

    /** The key of the LTX file {@code min..max} at {@code level}. */
    public String key(int level, long min, long max) {
        return layout.key(path, level, min, max);
    }

    /** The listing prefix of one level, ending in {@code /}. */
    public String levelDir(int level) {
        return layout.levelDir(path, level);
    }

    /**
     * The catalog's record of this replica: the destination and the path, as plain text (not percent-encoded). It
     * identifies the replica across restarts, so its form must not change; messages use {@link #url()}.
     */
    public String describe() {
        return join(client.describe(), path);
    }

    /** This replica as a URL, for messages and listings: given to {@code litefleet restore}, it reads this replica. */
    public String url() {
        return ReplicaUrl.escape(describe());
    }

    /** The URL of one object of this replica, for messages: where it is, in full. */
    public String url(String key) {
        return ReplicaUrl.escape(join(client.describe(), key));
    }

    private static String join(String destination, String path) {
        return path.isEmpty() ? destination : destination + (destination.endsWith("/") ? "" : "/") + path;
    }

    private static String trimSlashes(String p) {
        int start = 0;
        int end = p.length();
        while (start < end && p.charAt(start) == '/') {
            start++;
        }
        while (end > start && p.charAt(end - 1) == '/') {
            end--;
        }
        return p.substring(start, end);
    }
}
