package io.litefleet.core.replica;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Where one database replicates: a client shared by every database of that destination, the backend's layout and
 * the database's own path inside the destination, and this instance's right to write there.
 *
 * <p>Every write to a replica goes through {@link #put} and {@link #delete}, which check the {@link Fence} first
 * (an architecture test forbids calling the client's own {@code put} and {@code delete} anywhere else). Reads use
 * {@link #client()} directly.
 *
 * @param client the shared client; owned by whoever created it, not by this record
 * @param layout where Litestream keeps LTX files on this backend
 * @param path   the database's replica path, without leading or trailing {@code /} (may be empty)
 * @param fence  who may write here; {@link Fence#NONE} in single-node mode
 */
public record ReplicaTarget(ReplicaClient client, ReplicaLayout layout, String path, Fence fence) {
    /** Keys per client delete call in cluster mode, the fence checked before each: S3's DeleteObjects limit. */
    static final int DELETE_CHUNK = 1_000;
    /** Validates and normalises the path. */
    public ReplicaTarget {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(layout, "layout");
        path = trimSlashes(Objects.requireNonNull(path, "path"));
        Objects.requireNonNull(fence, "fence");
    }

    /** A single-node target ({@link Fence#NONE}). */
    public ReplicaTarget(ReplicaClient client, ReplicaLayout layout, String path) {
        this(client, layout, path, Fence.NONE);
    }

    /** This target written through {@code other} (a counting or failing wrapper of the client), same fence. */
    public ReplicaTarget withClient(ReplicaClient other) {
        return new ReplicaTarget(other, layout, path, fence);
    }

    /** This target with {@code other} as its fence (after a claim). */
    public ReplicaTarget withFence(Fence other) {
        return new ReplicaTarget(client, layout, path, other);
    }

    /**
     * Writes an object after checking the fence; with a token, the object carries the owner's metadata and the
     * backend checks the fence again at its commit point.
     *
     * @throws ReplicaException of kind {@link io.litefleet.api.replica.ReplicaFailure#FENCED}, before any I/O, when
     *                          this instance may no longer own the path; else as {@link ReplicaClient#put}
     */
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        if (!fence.open()) {
            throw fence.refused(url(key));
        }
        // Token 0 (single node): the caller's options as they are, so objects are written exactly as before.
        return client.put(key, body, fence.token() == 0 ? options : fence.decorate(options, url(key)));
    }

    /**
     * Deletes objects after checking the fence.
     *
     * @throws ReplicaException of kind {@link io.litefleet.api.replica.ReplicaFailure#FENCED}, before any I/O, when
     *                          this instance may no longer own the path; else as {@link ReplicaClient#delete}
     */
    public void delete(Collection<String> keys) throws ReplicaException {
        if (!fence.open()) {
            throw fence.refused(url());
        }
        if (fence.token() == 0 || keys.size() <= DELETE_CHUNK) {
            client.delete(keys);
            return;
        }
        // Cluster mode: a large delete is many requests (S3 takes 1,000 keys a request, others one); the fence is
        // checked before each chunk, so a session lost half-way stops it there rather than after every key.
        List<String> all = List.copyOf(keys);
        for (int from = 0; from < all.size(); from += DELETE_CHUNK) {
            if (from > 0 && !fence.open()) {
                throw fence.refused(url() + " (" + from + " of " + all.size() + " objects deleted)");
            }
            client.delete(all.subList(from, Math.min(all.size(), from + DELETE_CHUNK)));
        }
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
