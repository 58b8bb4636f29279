package io.litefleet.discovery.glob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: measures a glob scan of N databases in the fleet layout
 * {@code <base>/data/p<i>/databases/d<j>/branches/b<k>/tenants/t<l>.db} against two floors over the same, already
 * known, paths: a plain stat loop, and the per-database work any header-validating scan must do (stat the database,
 * open it and read 16 bytes, stat its {@code -wal}). Warm page and dentry caches; the tree is built once and reused.
 *
 * <pre>
 * ./mvnw -B -q -pl discovery-glob -am test-compile
 * java -cp api/target/classes:discovery-glob/target/classes:discovery-glob/target/test-classes \
 *     io.litefleet.discovery.glob.GlobScanMeasure 100000 /tmp/litefleet-scan-measure
 * </pre>
 */
public final class GlobScanMeasure {
    private static final int RUNS = 7;

    private GlobScanMeasure() {
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path base = Path.of(args.length > 1 ? args[1] : "/tmp/litefleet-scan-measure").toAbsolutePath();
        List<Path> dbs = build(base.resolve("n" + n), n);
        GlobDiscovery discovery = GlobDiscovery.of(List.of(GlobPattern.parse(
                base.resolve("n" + n) + "/data/*/databases/*/branches/*/tenants/*.db")));

        long[] scan = new long[RUNS];
        long[] stat = new long[RUNS];
        long[] floor = new long[RUNS];
        long scanAllocated = 0;
        for (int r = 0; r < RUNS; r++) {
            AtomicLong found = new AtomicLong();
            long allocatedBefore = allocated();
            long t0 = System.nanoTime();
            discovery.scan(db -> found.incrementAndGet());
            scan[r] = System.nanoTime() - t0;
            scanAllocated = allocated() - allocatedBefore;
            if (found.get() != n) {
                throw new AssertionError("scan found " + found + " of " + n);
            }
            stat[r] = timeStatLoop(dbs);
            floor[r] = timeHeaderLoop(dbs);
        }
        System.out.printf("N=%,d databases, %d runs, median (min) in ms%n", n, RUNS);
        System.out.printf("  glob scan (list dirs, match, stat, read header, -wal from listing): %s%n", show(scan));
        System.out.printf("  plain stat loop over known paths:                                   %s%n", show(stat));
        System.out.printf("  stat + open/read 16 B/close + stat -wal over known paths:           %s%n", show(floor));
        System.out.printf("  scan / stat loop = %.2f, scan / header floor = %.2f, scan allocates %,d B per database%n",
                (double) median(scan) / median(stat), (double) median(scan) / median(floor), scanAllocated / n);
        discovery.close();
    }

    private static List<Path> build(Path root, int n) throws IOException {
        int tenantsPerDir = 100;
        int dirs = Math.max(1, n / tenantsPerDir);
        List<Path> dbs = new ArrayList<>(n);
        Path marker = root.resolve("complete");
        boolean exists = Files.exists(marker);
        int made = 0;
        for (int dir = 0; dir < dirs && made < n; dir++) {
            // 10 projects x 10 databases x (dirs / 100) branches, 100 tenants each
            Path tenants = root.resolve("data/p" + dir % 10 + "/databases/d" + (dir / 10) % 10 + "/branches/b"
                    + dir / 100 + "/tenants");
            if (!exists) {
                Files.createDirectories(tenants);
            }
            for (int t = 0; t < tenantsPerDir && made < n; t++, made++) {
                Path db = tenants.resolve("t" + t + ".db");
                if (!exists) {
                    Files.write(db, Databases.HEADER);
                    if (t % 10 == 0) {
                        Files.write(tenants.resolve("t" + t + ".db-wal"), new byte[32]); // one in ten has a -wal
                    }
                }
                dbs.add(db);
            }
        }
        if (!exists) {
            Files.writeString(marker, "");
        }
        return dbs;
    }

    private static long timeStatLoop(List<Path> dbs) throws IOException {
        long t0 = System.nanoTime();
        long sum = 0;
        for (Path db : dbs) {
            sum += Files.readAttributes(db, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
        }
        long elapsed = System.nanoTime() - t0;
        if (sum == 0) {
            throw new AssertionError();
        }
        return elapsed;
    }

    private static long timeHeaderLoop(List<Path> dbs) throws IOException {
        ByteBuffer header = ByteBuffer.allocateDirect(16);
        long t0 = System.nanoTime();
        long sum = 0;
        for (Path db : dbs) {
            sum += Files.readAttributes(db, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
            header.clear();
            try (FileChannel ch = FileChannel.open(db, StandardOpenOption.READ)) {
                ch.read(header);
            }
            try {
                sum += Files.readAttributes(db.resolveSibling(db.getFileName() + "-wal"), BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).size();
            } catch (NoSuchFileException absent) {
                // as the scan: no -wal
            }
        }
        long elapsed = System.nanoTime() - t0;
        if (sum == 0) {
            throw new AssertionError();
        }
        return elapsed;
    }

    /** Bytes allocated by this thread so far; reflective because the plugin's module does not read java.management. */
    private static long allocated() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes")
                    .invoke(bean);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
    }

    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String show(long[] nanos) {
        return String.format("%,8.1f (%,.1f)", median(nanos) / 1e6, Arrays.stream(nanos).min().orElseThrow() / 1e6);
    }
}
