package io.litefleet.core.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One database as the status API shows it (docs/status-api.md has the JSON shape).
 *
 * @param path      absolute path
 * @param tier      {@code hot}, {@code cold}, {@code deleted}, {@code excluded}, {@code refused}, {@code failed} or
 *                  {@code foreign} (cluster mode: another instance replicates it)
 * @param replicas  one per destination
 * @param lag       hot only: how far the slowest destination may be behind (time since it last synced)
 * @param lastError the current error (a refusal, or the last failed sync of a destination), if any
 * @param size      database size in bytes at the last sync
 * @param promotions times promoted
 * @param demotions times demoted
 * @param owner     cluster mode: who replicates it, when known; empty without a cluster (and the JSON has no
 *                  {@code owner} field then)
 */
public record DatabaseView(String path, String tier, List<Replica> replicas, Optional<Duration> lag,
                           Optional<String> lastError, long size, long promotions, long demotions,
                           Optional<Owner> owner) {
    /** The instance named in {@link Owner#instance()} of a database another instance replicates. */
    public static final String ANOTHER_INSTANCE = "another instance";

    /** Copies. */
    public DatabaseView {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tier, "tier");
        replicas = List.copyOf(replicas);
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(lastError, "lastError");
    }

    /**
     * One destination of the database.
     *
     * @param url      the replica URL ({@code litefleet restore} and {@code litestream restore} read it)
     * @param txid     the TXID it holds (0 when nothing yet)
     * @param lastSync when its position was last recorded, if ever
     */
    public record Replica(String url, long txid, Optional<Instant> lastSync) {
    }

    /** A view without an owner (single-node mode). */
    public DatabaseView(String path, String tier, List<Replica> replicas, Optional<Duration> lag,
                        Optional<String> lastError, long size, long promotions, long demotions) {
        this(path, tier, replicas, lag, lastError, size, promotions, demotions, Optional.empty());
    }

    /** This view with {@code o} as its owner. */
    public DatabaseView withOwner(Owner o) {
        return new DatabaseView(path, tier, replicas, lag, lastError, size, promotions, demotions, Optional.of(o));
    }

    /**
     * Who replicates the database in cluster mode.
     *
     * @param instance this instance's id for a database it owns, {@link #ANOTHER_INSTANCE} for one another instance
     *                 holds (the holder's name is not kept per database; {@code litefleet databases --cluster} reads
     *                 it from the coordinator), empty when nobody is known to hold it now (not claimed yet, deleted,
     *                 excluded)
     * @param token    the fencing token of this instance's claim; 0 when not owned here
     */
    public record Owner(Optional<String> instance, long token) {
        /** Validates. */
        public Owner {
            Objects.requireNonNull(instance, "instance");
        }
    }

    /** The state {@code ?state=} lists it under: {@code error} when it has a current error, else its tier. */
    public String state() {
        return lastError.isPresent() ? "error" : tier;
    }

    /** The JSON object. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("tier", tier);
        m.put("state", state());
        long txid = replicas.stream().mapToLong(Replica::txid).min().orElse(0);
        m.put("txid", String.format("%016x", txid));
        Optional<Instant> lastSync = replicas.stream().map(Replica::lastSync).flatMap(Optional::stream)
                .min(Instant::compareTo);
        m.put("lastSync", lastSync.map(Instant::toString).orElse(null));
        m.put("lagSeconds", lag.map(d -> d.toMillis() / 1000.0).orElse(null));
        m.put("lastError", lastError.orElse(null));
        Map<String, Object> window = new LinkedHashMap<>();
        window.put("oldest", null); // known only from the replica's files: litefleet verify reads it
        window.put("newest", lastSync.map(Instant::toString).orElse(null));
        window.put("newestTxid", String.format("%016x", txid));
        m.put("restorable", window);
        List<Object> reps = new ArrayList<>();
        for (Replica r : replicas) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("url", r.url());
            rm.put("txid", String.format("%016x", r.txid()));
            rm.put("lastSync", r.lastSync().map(Instant::toString).orElse(null));
            reps.add(rm);
        }
        m.put("replicas", reps);
        m.put("size", size);
        m.put("promotions", promotions);
        m.put("demotions", demotions);
        owner.ifPresent(o -> {
            m.put("owner", o.instance().orElse(null));
            m.put("token", o.token() == 0 ? null : o.token());
        });
        return m;
    }
}
