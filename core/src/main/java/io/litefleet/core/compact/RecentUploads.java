package io.litefleet.core.compact;

import io.litefleet.core.replica.LtxFileRef;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The bytes of level-0 files this process uploaded and level 1 does not cover yet, so that the next L1 compaction
 * merges them from memory instead of reading each back with a GET (upstream reads its local L0 files for the same
 * reason). Shared by every hot database of a process and bounded by bytes: when full, the oldest files go first and
 * their compaction falls back to a GET; nothing depends on a file being here.
 *
 * <p>Entries belong to an owner (one database's {@link Maintenance}, compared by identity): a demoted database's
 * entries are never read again and leave as the oldest. Thread-safe.
 */
public final class RecentUploads {
    /** At most this many bytes by default, or 1/32 of the maximum heap when that is smaller. */
    static final long DEFAULT_BUDGET = 32L << 20;

    private static final RecentUploads SHARED = new RecentUploads(
            Math.min(DEFAULT_BUDGET, Runtime.getRuntime().maxMemory() / 32));

    private final long budget;
    private final LinkedHashMap<Key, byte[]> bodies = new LinkedHashMap<>();
    private long bytes;

    private record Key(Object owner, long minTxid, long maxTxid) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.owner == owner && k.minTxid == minTxid && k.maxTxid == maxTxid;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(owner) * 31 + Long.hashCode(minTxid * 0x9E3779B97F4A7C15L ^ maxTxid);
        }
    }

    /** A store of at most {@code budget} bytes; 0 keeps nothing. */
    public RecentUploads(long budget) {
        if (budget < 0) {
            throw new IllegalArgumentException("budget must not be negative: " + budget);
        }
        this.budget = budget;
    }

    /** The process-wide store: 32 MiB or 1/32 of the maximum heap, whichever is smaller. */
    public static RecentUploads shared() {
        return SHARED;
    }

    /** Keeps {@code body} as the bytes of {@code owner}'s level-0 file {@code file}, evicting the oldest if needed. */
    public synchronized void put(Object owner, LtxFileRef file, byte[] body) {
        if (body.length > budget) {
            return;
        }
        byte[] old = bodies.put(new Key(owner, file.minTxid(), file.maxTxid()), body);
        bytes += body.length - (old == null ? 0 : old.length);
        Iterator<byte[]> it = bodies.values().iterator();
        while (bytes > budget && it.hasNext()) {
            bytes -= it.next().length;
            it.remove();
        }
    }

    /** The bytes of {@code owner}'s level-0 file {@code file}, if still held. */
    public synchronized Optional<byte[]> get(Object owner, LtxFileRef file) {
        return Optional.ofNullable(bodies.get(new Key(owner, file.minTxid(), file.maxTxid())));
    }

    /** Forgets {@code owner}'s level-0 file {@code file} (level 1 covers it now). */
    public synchronized void drop(Object owner, LtxFileRef file) {
        byte[] old = bodies.remove(new Key(owner, file.minTxid(), file.maxTxid()));
        bytes -= old == null ? 0 : old.length;
    }

    /** Bytes held now. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Files held now. */
    public synchronized int files() {
        return bodies.size();
    }
}
