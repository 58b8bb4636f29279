package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.litefleet.core.config.FleetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball {@code package} writes, unpacked as an operator would: one top directory {@code litefleet-VERSION/}
 * whose launcher runs, whose example config is valid, and whose systemd unit is well formed and allows the
 * descriptors the default hot cap needs (as the running image computes them, not as the unit's comment says).
 */
class TarballIT {
    private static final Pattern TARBALL = Pattern.compile("litefleet-(.+)-linux-(x64|aarch64)\\.tar\\.gz");

    @TempDir
    static Path dir;
    private static Path home;
    private static String version;

    @BeforeAll
    static void unpack() throws Exception {
        List<Path> found;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            found = s.filter(p -> TARBALL.matcher(p.getFileName().toString()).matches()).toList();
        }
        assertEquals(1, found.size(), "one tarball in target/ (build it with ./mvnw -B package): " + found);
        Matcher m = TARBALL.matcher(found.get(0).getFileName().toString());
        assertTrue(m.matches());
        version = m.group(1);
        Path into = Files.createDirectories(dir.resolve("opt"));
        Image.Result r = Image.run(dir, Duration.ofMinutes(2), Map.of(), "tar", "-xzf",
                found.get(0).toAbsolutePath().toString(), "-C", into.toString());
        assertEquals(0, r.exitCode(), r.output());
        try (Stream<Path> s = Files.list(into)) {
            assertEquals(List.of(into.resolve("litefleet-" + version)), s.toList(), "one top directory");
        }
        home = into.resolve("litefleet-" + version);
    }

    @Test
    void tarball_holdsTheImageAndItsOperatorFiles_andRuns() throws Exception {
        for (String f : List.of("bin/litefleet", "runtime/bin/java")) {
            assertTrue(Files.isExecutable(home.resolve(f)), f + " executable");
        }
        for (String f : List.of("conf/litefleet.yml", "systemd/litefleet.service", "grafana/litefleet.json",
                "README.md", "docs/configuration.md", "docs/operations.md", "docs/architecture.md",
                "plugins/s3", "plugins/gcs", "plugins/abs", "plugins/sftp", "plugins/glob", "lib")) {
            assertTrue(Files.exists(home.resolve(f)), f + " in the tarball");
        }
        try (Stream<Path> s = Files.list(home.resolve("examples/plugins/tiering-allowlist"))) {
            assertEquals(List.of("litefleet-tiering-allowlist-" + version + ".jar"),
                    s.map(p -> p.getFileName().toString()).toList());
        }
        Image.Result v = run("version");
        assertEquals(0, v.exitCode(), v.output());
        assertTrue(v.output().startsWith("litefleet " + version + " "), v.output());
        Image.Result listed = run("databases", "-config", home.resolve("conf/litefleet.yml").toString());
        assertEquals(0, listed.exitCode(), "the example config is valid: " + listed.output());
        assertTrue(listed.output().contains("/var/lib/app/main.db  s3"), listed.output());
    }

    @Test
    void systemdUnit_allowsTheDescriptorsTheDefaultHotCapNeeds() throws Exception {
        String unit = Files.readString(home.resolve("systemd/litefleet.service"));
        assertTrue(unit.contains("\nExecStart=/opt/litefleet/bin/litefleet replicate -config "
                + "/etc/litefleet/litefleet.yml\n"), unit);
        Matcher limit = Pattern.compile("\nLimitNOFILE=(\\d+)\n").matcher(unit);
        assertTrue(limit.find(), "LimitNOFILE set");
        // A fleet at the default cap with two destinations (the comment's worst case), started with systemd's default
        // soft limit: the image refuses it and says how many descriptors it needs on this machine.
        Path data = Files.createDirectories(dir.resolve("data/tenants"));
        Path config = Files.writeString(dir.resolve("two-destinations.yml"), """
                state-dir: %s
                multi-db:
                  patterns: ["%s/*.db"]
                  replica-template:
                    - {type: file, path: "%s/r1/{{tenant}}"}
                    - {type: file, path: "%s/r2/{{tenant}}"}
                """.formatted(dir.resolve("state"), data, dir, dir));
        Image.Result refused = Image.run(dir, Duration.ofMinutes(1), Map.of(), "sh", "-c",
                "ulimit -n 1024 && exec \"$0\" replicate -config \"$1\"", home.resolve("bin/litefleet").toString(),
                config.toString());
        assertNotEquals(0, refused.exitCode(), refused.output());
        Matcher need = Pattern.compile("max-hot-databases: " + FleetConfig.DEFAULT_MAX_HOT + " needs up to (\\d+) "
                + "file descriptors").matcher(refused.output());
        assertTrue(need.find(), refused.output());
        long needed = Long.parseLong(need.group(1));
        assertTrue(needed >= FleetConfig.DEFAULT_MAX_HOT * 6L, "3 per hot database and destination: " + needed);
        assertTrue(Long.parseLong(limit.group(1)) >= needed, "LimitNOFILE=" + limit.group(1) + " < " + needed);
    }

    @Test
    void systemdUnit_passesSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed: the unit's syntax is not checked");
        // verify wants ExecStart's program to exist: the unpacked launcher stands in for /opt/litefleet.
        String unit = Files.readString(home.resolve("systemd/litefleet.service"))
                .replace("/opt/litefleet/bin/litefleet", home.resolve("bin/litefleet").toString());
        Path copy = Files.writeString(Files.createDirectories(dir.resolve("unit")).resolve("litefleet.service"), unit);
        Image.Result r = Image.run(dir, Duration.ofMinutes(1), Map.of("SYSTEMD_LOG_LEVEL", "warning"),
                analyze.toString(), "verify", copy.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("", r.output().strip(), "no warning about the unit");
    }

    private static Image.Result run(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = home.resolve("bin/litefleet").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Image.run(dir, Duration.ofMinutes(1), Map.of(), cmd);
    }
}
