package io.litefleet.core.config;

import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.discovery.glob.GlobDiscoveryProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The fleet template's per-database work: {@link ReplicaTemplate#resolvePath}, the replica path of a discovered
 * database from the template {@value #TEMPLATE} (placeholders bound to the captures of the design's fleet pattern
 * {@value #PATTERN}, every value checked), over {@value #DATABASES} databases the real glob discovery matched.
 * Floor {@link #resolveFloorConcat}: joining the same four values with {@code /}. Scores are per database. The
 * setup checks that both give the same path for every database.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class TemplateBench {
    static final String PATTERN = "/data/*/databases/*/branches/*/tenants/*.db";
    static final String TEMPLATE = "{{project}}/{{database}}/{{branch}}/{{tenant}}";
    static final int DATABASES = 1000;

    private Discovery discovery;
    private ReplicaTemplate template;
    private DiscoveredDatabase[] databases;
    private String[][] values;

    @Setup(Level.Trial)
    public void setUp() {
        discovery = new GlobDiscoveryProvider().create(Settings.of("bench", Map.of("patterns", List.of(PATTERN))));
        template = ReplicaTemplate.parse(Settings.of("bench", Map.of("type", "s3", "bucket", "b", "path", TEMPLATE)),
                Settings.of("bench", Map.of()));
        databases = new DiscoveredDatabase[DATABASES];
        values = new String[DATABASES][];
        // The pattern's variables in pattern order: project (by position, "#1"), database, branch, tenant.
        List<String> names = discovery.variableNames().get(PATTERN);
        for (int i = 0; i < DATABASES; i++) {
            databases[i] = discovery.match(Path.of("/data/project-" + i % 10 + "/databases/db-" + i % 7
                    + "/branches/" + (i % 3 == 0 ? "main" : "feature-" + i % 5) + "/tenants/tenant-" + i + ".db"));
            Map<String, String> v = databases[i].variables();
            values[i] = names.stream().map(v::get).toArray(String[]::new);
            String expected = String.join("/", values[i]);
            String resolved = template.resolvePath(databases[i]);
            if (!resolved.equals(expected)) {
                throw new IllegalStateException("template gave " + resolved + " for " + databases[i].path()
                        + ", expected " + expected);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        discovery.close();
    }

    /** The production path resolution. */
    @Benchmark
    @OperationsPerInvocation(DATABASES)
    public void resolve(Blackhole bh) {
        for (DiscoveredDatabase db : databases) {
            bh.consume(template.resolvePath(db));
        }
    }

    /** Floor of {@link #resolve}: the same four values joined. */
    @Benchmark
    @OperationsPerInvocation(DATABASES)
    public void resolveFloorConcat(Blackhole bh) {
        for (String[] v : values) {
            bh.consume(v[0] + '/' + v[1] + '/' + v[2] + '/' + v[3]);
        }
    }
}
