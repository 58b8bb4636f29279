package io.litefleet.core.restore;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jpountz.lz4.LZ4FrameInputStream;

/**
 * Restores a Litestream v0.3.x replica ({@code <path>/generations/<id>/snapshots/<index>.snapshot.lz4} and
 * {@code .../wal/<index>_<offset>.wal.lz4}, each an LZ4 frame), as litestream v0.5.16 does for such replicas: the
 * newest snapshot at or before the target time across every generation, then that generation's WAL segments from
 * the snapshot's index on, each index starting at offset 0 with contiguous offsets, applied index by index as a WAL
 * that SQLite checkpoints (so SQLite checks every frame's checksum). Times are the objects' modification times (the
 * only time v0.3 recorded). Only the latest state or a time can be asked for: v0.3 had no TXIDs.
 */
public final class GenerationsRestore {
    private static final Pattern SNAPSHOT = Pattern.compile("generations/([0-9a-f]{16})/snapshots/([0-9a-f]{8})"
            + "\\.snapshot\\.lz4");
    private static final Pattern SEGMENT = Pattern.compile("generations/([0-9a-f]{16})/wal/([0-9a-f]{8})_"
            + "([0-9a-f]{8})\\.wal\\.lz4");

    private GenerationsRestore() {
    }

    /** What a restore did: objects read, their bytes decompressed, and how long it took. */
    public record Restored(int files, long bytes, Duration duration) {
    }

    /** One object of a v0.3 replica. {@code offset} is 0 for a snapshot. */
    public record Part(String key, String generation, long index, long offset, Instant createdAt) {
    }

    /**
     * What a v0.3 restore applies.
     *
     * @param snapshot the snapshot restored first
     * @param segments the WAL segments applied after it, in (index, offset) order
     */
    public record Plan(Part snapshot, List<Part> segments) {
        /** The time of the newest object restored. */
        public Instant restoredTime() {
            return segments.isEmpty() ? snapshot.createdAt() : segments.get(segments.size() - 1).createdAt();
        }

        /** The generation restored. */
        public String generation() {
            return snapshot.generation();
        }
    }

    /**
     * The plan for {@code target} ({@link RestoreTarget#latest()} or a time), or empty when the replica has no v0.3
     * snapshot at or before it (or no v0.3 files at all). One LIST.
     *
     * @throws RestoreException for a TXID target (v0.3 replicas have no TXIDs), or WAL segments that do not continue
     *                          the snapshot (a missing index or offset)
     */
    public static Optional<Plan> plan(ReplicaTarget source, RestoreTarget target, RetryPolicy retry)
            throws IOException {
        List<Part> all = parts(source, retry);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        if (target instanceof RestoreTarget.AtTxid) {
            throw new RestoreException(source.url() + " is a Litestream v0.3 replica (generations/), which has no "
                    + "TXIDs: restore the latest state or a -timestamp");
        }
        Instant until = target instanceof RestoreTarget.AtTime t ? t.time() : Instant.MAX;
        Optional<Part> snapshot = all.stream().filter(p -> p.key().endsWith(".snapshot.lz4"))
                .filter(p -> !p.createdAt().isAfter(until))
                .max(Comparator.comparing(Part::createdAt).thenComparing(Part::index));
        if (snapshot.isEmpty()) {
            return Optional.empty();
        }
        Part snap = snapshot.get();
        List<Part> segments = all.stream().filter(p -> p.key().endsWith(".wal.lz4"))
                .filter(p -> p.generation().equals(snap.generation()) && p.index() >= snap.index())
                .filter(p -> !p.createdAt().isAfter(until))
                .sorted(Comparator.comparingLong(Part::index).thenComparingLong(Part::offset)).toList();
        checkContiguous(source, snap, segments);
        return Optional.of(new Plan(snap, segments));
    }

    private static void checkContiguous(ReplicaTarget source, Part snap, List<Part> segments)
            throws RestoreException {
        long index = snap.index();
        boolean first = true;
        for (Part p : segments) {
            if (p.index() != index && p.index() != index + 1) {
                throw new RestoreException(String.format("%s: generation %s has no WAL index %08x between %08x and "
                        + "%08x", source.url(), snap.generation(), index + 1, index, p.index()));
            }
            if ((p.index() != index || first) && p.offset() != 0) {
                throw new RestoreException(String.format("%s: WAL index %08x of generation %s does not start at "
                        + "offset 0 (first segment at %08x)", source.url(), p.index(), snap.generation(), p.offset()));
            }
            index = p.index();
            first = false;
        }
    }

    /**
     * Restores {@code plan} into {@code options.output()}: the snapshot, then each WAL index applied by a SQLite
     * checkpoint, then the options' integrity check, then installed atomically.
     */
    public static Restored restore(ReplicaTarget source, Plan plan, RestoreOptions options, Clock clock,
            RetryPolicy retry) throws IOException {
        Instant start = clock.instant();
        long bytes = 0;
        try (RestoreOutput out = RestoreOutput.create(options.output(), options.overwrite())) {
            Path db = out.path();
            out.sync();
            bytes += download(source, plan.snapshot(), db, false, retry);
            Path wal = Path.of(db + "-wal");
            int i = 0;
            while (i < plan.segments().size()) {
                Part first = plan.segments().get(i);
                Files.deleteIfExists(wal);
                long walLength = 0;
                for (; i < plan.segments().size() && plan.segments().get(i).index() == first.index(); i++) {
                    Part p = plan.segments().get(i);
                    if (p.offset() != walLength) {
                        throw new RestoreException(String.format("%s: WAL index %08x of generation %s has a gap: "
                                + "a segment at offset %08x follows %08x bytes", source.url(), p.index(),
                                p.generation(), p.offset(), walLength));
                    }
                    walLength += download(source, p, wal, true, retry);
                }
                bytes += walLength;
                checkpoint(db, source, first, walLength);
            }
            List<String> problems = out.integrityCheck(options.check());
            if (!problems.isEmpty()) {
                throw new RestoreException(source.url() + ": the restored v0.3 generation " + plan.generation()
                        + " " + RestoreOutput.describe(options.check(), problems));
            }
            out.install();
        }
        return new Restored(1 + plan.segments().size(), bytes, Duration.between(start, clock.instant()));
    }

    private static long download(ReplicaTarget source, Part p, Path to, boolean append, RetryPolicy retry)
            throws IOException {
        String key = source.path().isEmpty() ? p.key() : source.path() + "/" + p.key();
        return retry.call(() -> {
            try (InputStream raw = source.client().get(key);
                 InputStream in = new LZ4FrameInputStream(raw);
                 OutputStream o = append
                         ? Files.newOutputStream(to, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                         : Files.newOutputStream(to, StandardOpenOption.CREATE,
                                 StandardOpenOption.TRUNCATE_EXISTING)) {
                return in.transferTo(o);
            } catch (IOException e) {
                if (e instanceof io.litefleet.api.replica.ReplicaException) {
                    throw e;
                }
                throw new RestoreException(source.url() + ": " + p.key() + ": not a readable LZ4 frame: "
                        + e.getMessage());
            }
        });
    }

    /**
     * Applies the WAL beside {@code db} (one index, {@code walLength} bytes) with a TRUNCATE checkpoint. SQLite stops
     * reading a WAL at the first frame whose salt or checksum does not continue, silently: so the frames it applied
     * are compared with the frames the segments hold.
     */
    private static void checkpoint(Path db, ReplicaTarget source, Part p, long walLength) throws IOException {
        int pageSize = pageSize(db);
        long frames = walLength <= 32 ? 0 : (walLength - 32) / (24L + pageSize);
        String what = String.format("%s: WAL index %08x of generation %s", source.url(), p.index(), p.generation());
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            // FULL reports the frames it read and copied (TRUNCATE reports the emptied WAL); TRUNCATE then resets it.
            try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(FULL)")) {
                if (!rs.next() || rs.getInt(1) != 0) {
                    throw new RestoreException(what + " could not be applied (checkpoint busy)");
                }
                if (rs.getLong(2) != frames || rs.getLong(3) != frames) {
                    throw new RestoreException(what + " holds " + frames + " frames but SQLite applied "
                            + Math.max(0, rs.getLong(3)) + " (a frame does not continue the WAL: damaged or "
                            + "missing segment)");
                }
            }
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            throw new RestoreException(what + " could not be applied: " + e.getMessage());
        }
    }

    /** The page size in the database header of {@code db}. */
    private static int pageSize(Path db) throws IOException {
        byte[] h = new byte[18];
        try (InputStream in = Files.newInputStream(db)) {
            if (in.readNBytes(h, 0, 18) < 18) {
                throw new RestoreException(db + ": the v0.3 snapshot is not a SQLite database (too short)");
            }
        }
        int v = (h[16] & 0xFF) << 8 | (h[17] & 0xFF);
        return v == 1 ? 65536 : v;
    }

    private static List<Part> parts(ReplicaTarget source, RetryPolicy retry) throws IOException {
        String root = source.path().isEmpty() ? "" : source.path() + "/";
        List<ObjectInfo> listed = retry.call(() -> source.client().list(root + "generations/"));
        List<Part> out = new ArrayList<>();
        for (ObjectInfo o : listed) {
            String rel = o.key().substring(root.length());
            Matcher s = SNAPSHOT.matcher(rel);
            if (s.matches()) {
                out.add(new Part(rel, s.group(1), Long.parseLong(s.group(2), 16), 0, o.lastModified()));
                continue;
            }
            Matcher w = SEGMENT.matcher(rel);
            if (w.matches()) {
                out.add(new Part(rel, w.group(1), Long.parseLong(w.group(2), 16), Long.parseLong(w.group(3), 16),
                        o.lastModified()));
            }
        }
        return out;
    }
}
