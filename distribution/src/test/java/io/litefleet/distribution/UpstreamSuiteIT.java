package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream Litestream's own integration suite ({@code tests/integration} at v0.5.16: the tests its CI runs on every
 * pull request) with Litefleet's launcher as the suite's {@code bin/litestream}: fresh start, integrity under load,
 * rapid checkpoints, WAL growth, concurrent databases, busy timeouts, deletion, directory watching, format and
 * compaction compatibility, point-in-time restore and the v0.3 to v0.5 upgrade, each asserting as upstream wrote it.
 * Every restore the suite asks for is done by Litefleet, then again by stock litestream v0.5.16 from the same replica
 * (the {@code upstream-suite/litestream} wrapper): both must pass {@code PRAGMA integrity_check} and dump equal, else
 * that restore fails with exit 97 and so does its test.
 *
 * <p>{@code .ci/run} builds the suite ({@code go test -c -tags integration}) and its load generator into
 * {@code $LITEFLEET_TOOLS/upstream-suite-v0.5.16}; without it the test is skipped, except under CI.
 */
class UpstreamSuiteIT {
    /**
     * The -test.run expression of upstream's "Quick Integration Tests" job (.github/workflows/integration-tests.yml
     * at v0.5.16), which runs on every pull request there.
     */
    static final String UPSTREAM_QUICK = "TestFreshStart|TestDatabaseIntegrity|TestRapidCheckpoints|"
            + "TestS3AccessPointLocalStack|TestRestore_|TestBinaryCompatibility|TestCompaction_Compatibility|"
            + "TestVersionMigration|TestUpgrade|TestLockPage|TestDirectoryWatcher|TestDatabaseDeletion|TestWALGrowth|"
            + "TestBusyTimeout|TestConcurrentOperations";
    /**
     * Every test that expression selects here, each of which must pass. The upstream binary is what these run:
     * all but the five TestRestore_ tests, TestVersionMigration_DirectoryLayout and TestCompaction_Compatibility
     * (which call upstream's Go library on files they write themselves). TestS3AccessPointLocalStack needs Docker
     * and skips itself; it is the one allowed skip.
     */
    static final List<String> MUST_PASS = List.of("TestFreshStart", "TestDatabaseIntegrity", "TestDatabaseDeletion",
            "TestRapidCheckpoints", "TestWALGrowth", "TestConcurrentOperations", "TestBusyTimeout",
            "TestLockPageWithDifferentPageSizes", "TestDirectoryWatcherBasicLifecycle",
            "TestDirectoryWatcherRapidConcurrentCreation", "TestDirectoryWatcherRecursiveMode",
            "TestDirectoryWatcherPatternMatching", "TestDirectoryWatcherNonSQLiteRejection",
            "TestDirectoryWatcherActiveConnections", "TestDirectoryWatcherRestartBehavior",
            "TestDirectoryWatcherRenameOperations", "TestDirectoryWatcherLoadWithWrites", "TestUpgrade_V3ToV5",
            "TestRestore_FormatConsistency", "TestRestore_MultipleSyncs", "TestRestore_LTXFileValidation",
            "TestRestore_CrossPlatformPaths", "TestRestore_PointInTimeAccuracy", "TestBinaryCompatibility_CLIRestore",
            "TestVersionMigration_DirectoryLayout", "TestCompaction_Compatibility");
    /**
     * Restores the suite asks the binary for, each compared with stock's: one each in FreshStart,
     * DatabaseIntegrity, DatabaseDeletion, RapidCheckpoints, BusyTimeout, BinaryCompatibility_CLIRestore, WALGrowth
     * and Upgrade_V3ToV5, two in LockPageWithDifferentPageSizes, three in ConcurrentOperations.
     */
    private static final int RESTORES = 13;
    private static final Pattern RESULT = Pattern.compile("^--- (PASS|FAIL|SKIP): (\\S+) \\(([0-9.]+)s\\)$",
            Pattern.MULTILINE);
    private static final Duration LIMIT = Duration.ofMinutes(40);

    @TempDir
    Path dir;

    @Test
    void upstreamIntegrationSuitePassesWithLitefleetAsItsBinary() throws Exception {
        Path suite = suite();
        Path root = dir.resolve("root");
        Path pkg = Files.createDirectories(root.resolve("tests/integration"));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path wrapper = bin.resolve("litestream");
        try (InputStream in = UpstreamSuiteIT.class.getResourceAsStream("/upstream-suite/litestream")) {
            Files.copy(in, wrapper);
        }
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(bin.resolve("litestream-test"), suite.resolve("src/bin/litestream-test"));
        Path checks = dir.resolve("restores.log");
        Files.createFile(checks);

        List<String> command = List.of(suite.resolve("integration.test").toString(), "-test.v",
                "-test.timeout", LIMIT.toMinutes() + "m", "-test.run", UPSTREAM_QUICK);
        Map<String, String> env = Map.of("LITEFLEET", Image.litefleet().toString(),
                "STOCK_LITESTREAM", PeerTools.litestream().toString(), "CHECK_LOG", checks.toString(),
                "LITESTREAM_BIN", wrapper.toString(),
                "LITESTREAM_V3_BIN", PeerTools.litestream("v0.3.13").toString(),
                "PATH", PeerTools.sqlite3().getParent() + ":" + System.getenv("PATH"));
        Path log = dir.resolve("suite.log");
        Process p = Image.process(command, env, log).directory(pkg.toFile()).start();
        boolean done = p.waitFor(LIMIT.plusMinutes(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        if (!done) {
            Image.stop(p, Duration.ofSeconds(5));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Map<String, String> results = results(output);
        String restores = Files.readString(checks, StandardCharsets.UTF_8);
        System.out.println("upstream suite with litefleet: " + results + "\nrestores:\n" + restores);

        assertTrue(done, "the suite did not finish within " + LIMIT + ":\n" + tail(output));
        for (String test : MUST_PASS) {
            assertEquals("PASS", results.get(test), test + " with litefleet as bin/litestream:\n" + tail(output));
        }
        assertEquals(0, p.exitValue(), "suite exit code:\n" + tail(output));
        Map<String, String> others = new TreeMap<>(results);
        others.keySet().removeAll(MUST_PASS);
        assertEquals(Map.of("TestS3AccessPointLocalStack", "SKIP"), others, "the only test left over skips itself");
        List<String> lines = restores.lines().toList();
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("restore rc=97")),
                "litefleet and stock litestream restored differently:\n" + restores);
        long compared = lines.stream().filter(l -> l.startsWith("restore rc=0 equal=")).count();
        assertTrue(compared >= RESTORES, "every restore of the suite compared with stock's; got "
                + compared + ":\n" + restores);
    }

    /** Test name to PASS, FAIL or SKIP, for the top-level tests (subtests are indented in -test.v output). */
    static Map<String, String> results(String output) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = RESULT.matcher(output);
        while (m.find()) {
            out.put(m.group(2), m.group(1));
        }
        return out;
    }

    private static String tail(String output) {
        List<String> lines = new ArrayList<>(output.lines().toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 120), lines.size()));
    }

    /** Where .ci/run built the suite, or skip (fail under CI). */
    private static Path suite() throws IOException {
        String tools = System.getenv("LITEFLEET_TOOLS");
        Path home = (tools != null && !tools.isBlank() ? Path.of(tools)
                : Path.of(System.getProperty("user.home"), ".cache", "litefleet")).resolve("upstream-suite-v0.5.16");
        Optional<Path> found = Optional.of(home).filter(h -> Files.isExecutable(h.resolve("integration.test"))
                && Files.isExecutable(h.resolve("src/bin/litestream-test")));
        String hint = home + " is missing: .ci/run builds upstream's integration suite there";
        if (found.isEmpty() && PeerTools.isCi()) {
            throw new AssertionError(hint);
        }
        Assumptions.assumeTrue(found.isPresent(), () -> "skipped: " + hint);
        return found.orElseThrow();
    }
}
