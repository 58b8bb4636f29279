package io.litefleet.core.cli;

import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.IntegrityCheck;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code verify} of one database: restores its latest state into a scratch directory (the restore runs
 * {@code integrity_check} before it installs anything), reads the restorable window from the LTX files' timestamps,
 * and compares the restored content with the source when the source file is there.
 *
 * <p>The source may have moved on since the last sync. Its content is compared first; when it differs and the source
 * (database or {@code -wal}) was modified after the replica's newest LTX file was written, the verdict is
 * {@code source newer}, not a failure; when it differs although the source was not modified since, the replica does
 * not hold what the source holds: a failure.
 */
final class DatabaseVerification {
    private final ReplicaClients clients;
    private final Restorer restorer;
    private final Path scratch;

    DatabaseVerification(ReplicaClients clients, Restorer restorer, Path scratch) {
        this.clients = clients;
        this.restorer = restorer;
        this.scratch = scratch;
    }

    /**
     * What verify found for one database.
     *
     * @param db     the database
     * @param ok     false on any failure
     * @param txid   the latest TXID restored (0 when none)
     * @param oldest the oldest restorable time, if any
     * @param newest the newest restorable time, if any
     * @param source {@code equal}, {@code source newer}, {@code differs}, {@code not reachable} or {@code -}
     * @param detail why it failed, or empty
     */
    record Verdict(Path db, boolean ok, long txid, Optional<Instant> oldest, Optional<Instant> newest, String source,
                   String detail) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", db.toString());
            m.put("ok", ok ? "true" : "false");
            m.put("txid", txid == 0 ? "" : String.format("%016x", txid));
            m.put("oldest_restorable", oldest.map(LtxListing::rfc3339).orElse(""));
            m.put("newest_restorable", newest.map(LtxListing::rfc3339).orElse(""));
            m.put("source", source);
            m.put("detail", detail);
            return m;
        }

        String line() {
            return (ok ? "ok     " : "FAILED ") + db + (txid == 0 ? "" : String.format(" TXID %016x", txid))
                    + oldest.map(o -> " window " + LtxListing.rfc3339(o) + " .. "
                            + newest.map(LtxListing::rfc3339).orElse("?")).orElse("") + " source: " + source
                    + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** Verifies one database; never throws for a problem of that database. */
    Verdict verify(BulkDatabase db) {
        Optional<Instant> oldest = Optional.empty();
        Optional<Instant> newest = Optional.empty();
        long txid = 0;
        try {
            ReplicaTarget replica = clients.resolve(db.replica());
            List<LtxFileRef> files = ReplicaListing.list(replica, RetryPolicy.DEFAULT);
            newest = files.stream().map(LtxFileRef::createdAt).max(Instant::compareTo);
            oldest = oldestRestorable(files);
            // The listing above is the one the plan needs: the replica is listed once per database.
            Optional<RestorePlan> plan = RestorePlanner.plan(files, RestoreTarget.latest());
            if (plan.isEmpty()) {
                return new Verdict(db.path(), false, 0, oldest, newest, "-", "no backup files in " + replica.url());
            }
            Path out = Files.createTempDirectory(scratch, "db").resolve("restored.db");
            RestoreResult r = restorer.restore(replica, plan.get(), RestoreOptions.of(out)
                    .withParallelism(BulkRestore.FILES_PER_DATABASE).withCheck(IntegrityCheck.FULL));
            txid = r.txid();
            String restored = ContentHash.of(out);
            deleteTree(out.getParent());
            String source = compare(db.path(), restored, newest.orElse(Instant.MIN));
            boolean ok = !source.equals("differs");
            String stale = r.stale().isEmpty() ? "" : r.stale().size() + " file(s) written by a stale owner: "
                    + String.join("; ", r.stale());
            return new Verdict(db.path(), ok, txid, oldest, newest, source, ok ? stale : "the restored content "
                    + "differs from the source, which was not modified after the replica's newest file"
                    + (stale.isEmpty() ? "" : "; " + stale));
        } catch (IOException | RuntimeException e) {
            return new Verdict(db.path(), false, txid, oldest, newest, "-", String.valueOf(e.getMessage()));
        }
    }

    /** The time of the oldest state a restore can reach: the first TXID the planner can rebuild. */
    static Optional<Instant> oldestRestorable(List<LtxFileRef> files) {
        TreeSet<Long> ends = new TreeSet<>();
        files.forEach(f -> ends.add(f.maxTxid()));
        for (long end : ends) {
            Optional<RestorePlan> p = RestorePlanner.plan(files, new RestoreTarget.AtTxid(end));
            if (p.isPresent() && p.get().txid() == end) {
                return files.stream().filter(f -> f.maxTxid() == end).map(LtxFileRef::createdAt)
                        .min(Instant::compareTo);
            }
        }
        return Optional.empty();
    }

    private static String compare(Path source, String restored, Instant newestFile) throws IOException {
        if (!Files.isRegularFile(source)) {
            return "not reachable";
        }
        Instant before = lastWrite(source);
        if (ContentHash.of(source).equals(restored)) {
            return "equal";
        }
        Instant after = lastWrite(source); // a write during the hash counts too
        return before.isAfter(newestFile) || after.isAfter(newestFile) ? "source newer" : "differs";
    }

    /**
     * When the database or its {@code -wal} was last written. An empty {@code -wal} is left out: a read-only
     * connection (ours, hashing the source) creates one.
     */
    private static Instant lastWrite(Path db) throws IOException {
        Instant modified = Files.getLastModifiedTime(db).toInstant();
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        if (Files.isRegularFile(wal) && Files.size(wal) > 0) {
            Instant w = Files.getLastModifiedTime(wal).toInstant();
            modified = w.isAfter(modified) ? w : modified;
        }
        return modified;
    }

    /** Deletes {@code dir} and everything below it. */
    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
