package io.litefleet.discovery.glob;

import io.litefleet.api.discovery.DiscoveredDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Discovery's per-path work, with the design's fleet pattern {@value #PATTERN} over {@value #PATHS} paths of which
 * two in ten are not databases of the fleet (a {@code -wal} or a {@code .txt} beside one). Scores are per path.
 * <ul>
 *   <li>{@link #match}: {@code GlobDiscovery.match(Path)}, what every inotify event and probe costs: the file name
 *       checked for SQLite's auxiliary suffixes, then the whole path matched segment by segment with the four
 *       captures (project, database, branch, tenant) collected into the variables map. Floor
 *       {@link #matchFloorString}: the cheapest test that takes the same decision on the path's string,
 *       {@code startsWith("/data/") && endsWith(".db")}.</li>
 *   <li>{@link #accept}: {@code PatternMatcher.accepts}, what a scan pays per directory entry (the file segment's
 *       compiled wildcard, no captures). Floor {@link #acceptFloorString}: {@code name.endsWith(".db")}.</li>
 * </ul>
 * The setup checks that the real matcher and the floor agree on every path, so both take the same decision.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class MatchBench {
    static final String PATTERN = "/data/*/databases/*/branches/*/tenants/*.db";
    static final int PATHS = 1000;

    private GlobDiscovery discovery;
    private PatternMatcher matcher;
    private int fileSegment;
    private Path[] paths;
    private String[] pathStrings;
    private String[] names;

    @Setup(Level.Trial)
    public void setUp() {
        GlobPattern pattern = GlobPattern.parse(PATTERN);
        discovery = GlobDiscovery.of(List.of(pattern));
        matcher = new PatternMatcher(pattern);
        fileSegment = pattern.size() - 1;
        paths = new Path[PATHS];
        pathStrings = new String[PATHS];
        names = new String[PATHS];
        for (int i = 0; i < PATHS; i++) {
            String suffix = i % 10 == 3 ? ".db-wal" : i % 10 == 7 ? ".txt" : ".db";
            names[i] = "tenant-" + i + suffix;
            pathStrings[i] = "/data/project-" + (i % 10) + "/databases/db-" + (i % 7) + "/branches/"
                    + (i % 3 == 0 ? "main" : "feature-" + i % 5) + "/tenants/" + names[i];
            paths[i] = Path.of(pathStrings[i]);
        }
        checkFixture();
    }

    private void checkFixture() {
        int matched = 0;
        for (int i = 0; i < PATHS; i++) {
            DiscoveredDatabase d = discovery.match(paths[i]);
            boolean floor = pathStrings[i].startsWith("/data/") && pathStrings[i].endsWith(".db");
            if ((d != null) != floor || matcher.accepts(fileSegment, names[i]) != names[i].endsWith(".db")) {
                throw new IllegalStateException("matcher and floor disagree on " + pathStrings[i]);
            }
            if (d != null && !d.variables().get("tenant").equals(names[i].replace(".db", ""))) {
                throw new IllegalStateException("wrong tenant capture for " + pathStrings[i] + ": " + d.variables());
            }
            matched += d == null ? 0 : 1;
        }
        if (matched != PATHS * 8 / 10) {
            throw new IllegalStateException(matched + " of " + PATHS + " paths matched, expected 80%");
        }
    }

    /** The production per-path match. */
    @Benchmark
    @OperationsPerInvocation(PATHS)
    public void match(Blackhole bh) {
        for (Path p : paths) {
            bh.consume(discovery.match(p));
        }
    }

    /** Floor of {@link #match}: the same decision by two string comparisons. */
    @Benchmark
    @OperationsPerInvocation(PATHS)
    public void matchFloorString(Blackhole bh) {
        for (String s : pathStrings) {
            bh.consume(s.startsWith("/data/") && s.endsWith(".db"));
        }
    }

    /** The production per-entry test of a scan, on the file segment. */
    @Benchmark
    @OperationsPerInvocation(PATHS)
    public void accept(Blackhole bh) {
        for (String name : names) {
            bh.consume(matcher.accepts(fileSegment, name));
        }
    }

    /** Floor of {@link #accept}: one string comparison. */
    @Benchmark
    @OperationsPerInvocation(PATHS)
    public void acceptFloorString(Blackhole bh) {
        for (String name : names) {
            bh.consume(name.endsWith(".db"));
        }
    }
}
