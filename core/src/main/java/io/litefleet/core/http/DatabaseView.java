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
 * @param tier      {@code hot}, {@code cold}, {@code deleted}, {@code excluded}, {@code refused} or {@code failed}
 * @param replicas  one per destination
 * @param lag       hot only: how far the slowest destination may be behind (time since it last synced)
 * @param lastError the current error (a refusal, or the last failed sync of a destination), if any
 * @param size      database size in bytes at the last sync
 * @param promotions times promoted
 * @param demotions times demoted
 */
public record DatabaseView(String path, String tier, List<Replica> replicas, Optional<Duration> lag,
                           Optional<String> lastError, long size, long promotions, long demotions) {
    /** Copies. */
    public DatabaseView {
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
        return m;
    }
}
