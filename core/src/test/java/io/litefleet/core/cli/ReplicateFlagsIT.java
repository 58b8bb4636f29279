package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.Daemon;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replicate -force-snapshot}, {@code -log-level}, {@code -no-expand-env} and {@code version -verbose}. */
class ReplicateFlagsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void forceSnapshot_withOnce_writesASnapshot_asUpstream_andNeedsOnce() throws Exception {
        Path plain = walDb("plain");
        Path snap = walDb("snap");
        Path theirs = walDb("theirs");
        assertEquals(0, run("plain", "replicate", "-once", plain.toString(), url("r-plain")).code);
        assertFalse(Files.exists(dir.resolve("r-plain/ltx/9")), "no snapshot without the flag");
        assertEquals(0, run("snap", "replicate", "-once", "-force-snapshot", snap.toString(), url("r-snap")).code);
        assertTrue(listing(dir.resolve("r-snap/ltx/9")).size() == 1, "one snapshot");
        var up = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "replicate", "-once",
                "-force-snapshot", theirs.toString(), url("r-theirs")));
        assertEquals(0, up.exitCode(), up.both());
        assertEquals(1, listing(dir.resolve("r-theirs/ltx/9")).size(), "litestream writes one too");
        BothRestores.assertRestore(dir, dir.resolve("r-snap"), DbContent.hash(snap), "snapshotted replica");

        Result alone = run("alone", "replicate", "-force-snapshot", snap.toString(), url("r-alone"));
        assertEquals(1, alone.code);
        assertTrue(alone.out.contains("cannot specify -force-snapshot flag without -once"), alone.out);
        var upAlone = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "replicate",
                "-force-snapshot", theirs.toString(), url("r-alone-up")));
        assertEquals(1, upAlone.exitCode(), "litestream refuses it too: " + upAlone.both());
        Result retentionAlone = run("retention-alone", "replicate", "-enforce-retention", snap.toString(),
                url("r-alone"));
        assertEquals(1, retentionAlone.code);
        assertTrue(retentionAlone.out.contains("cannot specify -enforce-retention flag without -once"),
                retentionAlone.out);
        try (Connection c = SqliteFiles.open(snap)) {
            SqliteFiles.exec(c, "INSERT INTO t(v) VALUES ('then retention')");
        }
        Result retention = run("retention", "replicate", "-once", "-enforce-retention", snap.toString(),
                url("r-snap"));
        assertEquals(0, retention.code, retention.out);
        assertEquals(1, listing(dir.resolve("r-snap/ltx/9")).size(), "the day-old snapshot is not due again");
        BothRestores.assertRestore(dir, dir.resolve("r-snap"), DbContent.hash(snap), "settled replica");
    }

    @Test
    void logLevel_overridesTheConfig_badValueNamed() throws Exception {
        Path db = walDb("logged");
        Path config = Files.writeString(dir.resolve("logged.yml"), """
                logging: {level: info}
                dbs:
                  - path: %s
                    replica: {type: file, path: %s}
                """.formatted(db, dir.resolve("r-logged")));
        Result info = run("info", "replicate", "-once", "-config", config.toString());
        assertEquals(0, info.code, info.out);
        assertTrue(info.out.contains(" INFO "), "the config's level: " + info.out);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "INSERT INTO t(v) VALUES ('more')");
        }
        Result error = run("error", "replicate", "-once", "-log-level", "error", "-config", config.toString());
        assertEquals(0, error.code, error.out);
        assertFalse(error.out.contains(" INFO "), "-log-level error wins over logging.level: " + error.out);
        BothRestores.assertRestore(dir, dir.resolve("r-logged"), DbContent.hash(db), "replica");

        Result bad = run("bad", "replicate", "-once", "-log-level", "loud", "-config", config.toString());
        assertEquals(1, bad.code);
        assertTrue(bad.out.contains("invalid -log-level 'loud': must be trace, debug, info, warn or error"), bad.out);
    }

    @Test
    void noExpandEnv_readsDollarNamesAsWritten() throws Exception {
        Path literal = Files.createDirectories(dir.resolve("$LITEFLEET_IT_UNSET"));
        Path db = walDb("$LITEFLEET_IT_UNSET/app");
        Path config = Files.writeString(dir.resolve("env.yml"), """
                dbs:
                  - path: %s
                    replica: {type: file, path: %s}
                """.formatted(db, literal.resolve("replica")));
        Result expanded = run("expanded", "replicate", "-once", "-config", config.toString());
        assertEquals(1, expanded.code);
        assertTrue(expanded.out.contains("environment variable $LITEFLEET_IT_UNSET is not set"), expanded.out);
        Result asWritten = run("as-written", "replicate", "-once", "-no-expand-env", "-config", config.toString());
        assertEquals(0, asWritten.code, asWritten.out);
        assertTrue(asWritten.out.contains(db + ": TXID 1"), asWritten.out);
        BothRestores.assertRestore(dir, literal.resolve("replica"), DbContent.hash(db), "replica");
    }

    @Test
    void versionVerbose_printsUpstreamsLabels() {
        CliRun r = CliRun.of("version", "-verbose");
        assertEquals(0, r.code());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("Version: {5}\\S+"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Java:        " + Runtime.version())), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("OS/Arch: {5}[a-z0-9]+/[a-z0-9]+")), r.out());
        assertEquals("linux/amd64", VersionCommand.goOs("Linux") + "/" + VersionCommand.goArch("amd64"));
        assertEquals("darwin/arm64", VersionCommand.goOs("Mac OS X") + "/" + VersionCommand.goArch("aarch64"));
        assertEquals(1, CliRun.of("version").out().lines().count(), "without -verbose: one line");
    }

    private record Result(int code, String out) {
    }

    private Result run(String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = Daemon.start(log, Map.of("LITEFLEET_STATE_DIR", dir.resolve("state").toString()), args);
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            PeerProcess.kill(p);
        }
        String out = Files.readString(log);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
        return new Result(p.exitValue(), out);
    }

    private String url(String replica) {
        return dir.resolve(replica).toUri().toString();
    }

    private Path walDb(String name) throws Exception {
        return ItFiles.walDb(dir.resolve(name + ".db"), "x");
    }

    private static List<Path> listing(Path d) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(d)) {
            try (var s = Files.list(d)) {
                s.forEach(out::add);
            }
        }
        return out;
    }
}
