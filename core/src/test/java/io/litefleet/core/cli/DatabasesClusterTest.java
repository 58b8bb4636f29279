package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.testkit.InMemoryCoordinator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code litefleet databases --cluster}: the coordinator's owners, paged; a clear refusal without a cluster. */
class DatabasesClusterTest {
    private static final Duration VALIDITY = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    private final InMemoryCoordinator.Service service = new InMemoryCoordinator.Service();

    private Path config(String cluster) throws Exception {
        return Files.writeString(dir.resolve("litefleet.yml"), """
                multi-db:
                  patterns: ["%1$s/data/*.db"]
                  replica-template: {type: file, path: "%1$s/replica/{{name}}"}
                """.formatted(dir) + cluster);
    }

    private static List<Ownable> ownables(String prefix, int n) {
        List<Ownable> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Ownable(String.format("file:///replica/%s%05d", prefix, i), "/data/" + prefix + i + ".db"));
        }
        return out;
    }

    /** Runs the command with the cluster's coordinator for this process ({@code host-c}); its output. */
    private String run(InMemoryCoordinator cli, AtomicBoolean closed, String... args) throws Exception {
        DatabasesCommand cmd = new DatabasesCommand();
        cmd.opener = (c, plugins) -> {
            assertEquals("etcd", c.coordinator().type());
            return new DatabasesCommand.OpenCoordinator(cli, () -> closed.set(true));
        };
        StringWriter out = new StringWriter();
        CommandLine line = new CommandLine(cmd).setOut(new PrintWriter(out));
        assertEquals(0, line.execute(args));
        return out.toString();
    }

    @Test
    void cluster_listsEveryOwnerWithItsToken_readingAThousandAPage() throws Exception {
        InMemoryCoordinator a = service.join("host-a", VALIDITY);
        InMemoryCoordinator b = service.join("host-b", VALIDITY);
        a.claim(ownables("a", 1500));
        long tokenB = ((io.litefleet.api.cluster.Claim.Owned) b.claim(ownables("b", 700)).getFirst()).token();
        InMemoryCoordinator cli = service.join("host-c", VALIDITY);
        AtomicBoolean closed = new AtomicBoolean();
        String out = run(cli, closed, "--cluster", "-config", config("cluster: {type: etcd, "
                + "endpoints: [\"http://127.0.0.1:2379\"]}\n").toString());
        List<String> lines = out.lines().toList();
        assertEquals(1 + 2200 + 1, lines.size(), "header, one line per owner, the count");
        assertTrue(lines.getFirst().matches("INSTANCE\\s+TOKEN\\s+PATH -> LOCATION"), lines.getFirst());
        assertTrue(lines.get(1).matches("host-a\\s+1 /data/a0.db -> file:///replica/a00000"), lines.get(1));
        assertTrue(lines.get(1501).matches("host-b\\s+" + tokenB + " /data/b0.db -> file:///replica/b00000"),
                lines.get(1501));
        assertEquals("2200 database(s) owned by 2 instance(s); this is host-c", lines.getLast());
        assertEquals(3, cli.stats().ok(CoordinatorStats.Operation.RANGE), "2,200 owners in pages of 1,000");
        assertTrue(closed.get(), "the registry is closed after the listing");
    }

    @Test
    void clusterJson_isOneObjectPerLine() throws Exception {
        InMemoryCoordinator a = service.join("host-a", VALIDITY);
        a.claim(ownables("x", 2));
        String out = run(service.join("host-c", VALIDITY), new AtomicBoolean(), "--cluster", "--json", "-config",
                config("cluster: {type: etcd}\n").toString());
        assertEquals(List.of("{\"path\":\"/data/x0.db\",\"location\":\"file:///replica/x00000\",\"instance\":"
                + "\"host-a\",\"token\":1}", "{\"path\":\"/data/x1.db\",\"location\":\"file:///replica/x00001\","
                + "\"instance\":\"host-a\",\"token\":1}"), out.lines().toList());
    }

    @Test
    void cluster_withoutAClusterSection_saysSoAndFails() throws Exception {
        Path config = config("");
        CliRun r = CliRun.of("databases", "--cluster", "-config", config.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains(config + ": no cluster is configured (no cluster: section, or type: none)"),
                r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void cluster_whenTheServiceCannotBeRead_namesTheConfigAndTheFailure() throws Exception {
        InMemoryCoordinator cli = service.join("host-c", VALIDITY);
        service.available(false);
        DatabasesCommand cmd = new DatabasesCommand();
        cmd.opener = (c, plugins) -> new DatabasesCommand.OpenCoordinator(cli, () -> { });
        Path config = config("cluster: {type: etcd}\n");
        CommandLine line = new CommandLine(cmd).setOut(new PrintWriter(new StringWriter()));
        List<Throwable> thrown = new ArrayList<>();
        line.setExecutionExceptionHandler((e, l, p) -> {
            thrown.add(e);
            return 1;
        });
        assertEquals(1, line.execute("--cluster", "-config", config.toString()));
        assertTrue(thrown.getFirst() instanceof UserException, String.valueOf(thrown));
        assertTrue(thrown.getFirst().getMessage().startsWith(config + ": cannot list the cluster's owners: "
                + "in-memory coordination service: owners: unavailable"), thrown.getFirst().getMessage());
    }

    @Test
    void stateForeign_isAccepted_andAnUnknownStateNamesTheChoices() throws Exception {
        CliRun bad = CliRun.of("databases", "--state", "elsewhere", "--state-dir", dir.toString());
        assertTrue(bad.err().contains("--state must be one of hot, cold, deleted, excluded, foreign; got 'elsewhere'"),
                bad.err());
        CliRun foreign = CliRun.of("databases", "--state", "foreign", "--state-dir", dir.toString());
        assertTrue(foreign.err().contains("no catalog here"), "past the state check: " + foreign.err());
    }
}
