package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a short command costs at start (issue 13): {@code version} and a {@code file://} restore open no plugin
 * directory and write nothing into the temporary directory; the launcher starts each command with the AOT cache
 * trained for it, and a cache that is missing, corrupt, or trained elsewhere changes nothing a user sees.
 */
class StartIT {
    private static final Path HOME = Image.LITEFLEET.getParent().getParent();

    @TempDir
    Path dir;

    private static String pluginClasses(Path log) throws Exception {
        try (Stream<String> lines = Files.lines(log)) {
            return String.join("\n", lines.filter(l -> l.contains(HOME.resolve("plugins").toString())).toList());
        }
    }

    @Test
    void versionAndFileRestore_openNoPluginDirectory_andWriteNoTemporaryFile() throws Exception {
        Image.litefleet();
        Path db = dir.resolve("app.db");
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            for (int i = 0; i < 50; i++) {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES (randomblob(4000))");
            }
        }
        String replica = "file://" + dir.resolve("replica");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Image.Result once = Image.litefleet(dir, Map.of("TMPDIR", tmp.toString(),
                "LITEFLEET_STATE_DIR", dir.resolve("state").toString()), "replicate", "-once", db.toString(), replica);
        assertEquals(0, once.exitCode(), once.output());

        Path versionLog = dir.resolve("version-classes.log");
        Image.Result version = Image.litefleet(dir, env(tmp, versionLog), "version");
        assertEquals(0, version.exitCode(), version.output());
        Path ours = dir.resolve("ours.db");
        Path restoreLog = dir.resolve("restore-classes.log");
        Image.Result restored = Image.litefleet(dir, env(tmp, restoreLog), "restore", "-o", ours.toString(), replica);
        assertEquals(0, restored.exitCode(), restored.output());
        assertEquals("", pluginClasses(versionLog), "version loaded plugin classes");
        assertEquals("", pluginClasses(restoreLog), "a file:// restore loaded plugin classes");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "written into TMPDIR");
        }

        Path listLog = dir.resolve("plugins-classes.log");
        Image.Result plugins = Image.litefleet(dir, env(tmp, listLog), "plugins");
        assertEquals(0, plugins.exitCode(), plugins.output());
        assertTrue(pluginClasses(listLog).contains(HOME.resolve("plugins").resolve("s3").toString()),
                "litefleet plugins opens every directory, and the class log sees it");

        Path stock = dir.resolve("stock.db");
        Image.Result theirs = Image.run(dir, Duration.ofMinutes(1), Map.of(), PeerTools.litestream().toString(),
                "restore", "-o", stock.toString(), replica);
        assertEquals(0, theirs.exitCode(), theirs.output());
        for (Path p : new Path[] {ours, stock}) {
            assertEquals(DbContent.hash(db), DbContent.hash(p), p.toString());
            assertEquals("ok", DbContent.integrityCheck(p), p.toString());
        }
    }

    /** TMPDIR, and a log of the classes the command loaded (JAVA_TOOL_OPTIONS: the launcher's flags stay as set). */
    private static Map<String, String> env(Path tmp, Path classLog) {
        return Map.of("TMPDIR", tmp.toString(), "JAVA_TOOL_OPTIONS", "-Xlog:class+load:file=" + classLog);
    }

    @Test
    void launcher_usesTheCacheTrainedForEachCommand() throws Exception {
        assertTrue(Files.isReadable(HOME.resolve("lib/cli.aot")) && Files.isReadable(HOME.resolve("lib/daemon.aot")),
                "the build trains lib/cli.aot and lib/daemon.aot (bin/train-aot)");
        assertEquals(HOME.resolve("lib/cli.aot").toString(), openedCache(HOME, "version"));
        assertEquals(HOME.resolve("lib/daemon.aot").toString(), openedCache(HOME, "replicate", "--help"));
    }

    /** The AOT cache {@code args} started with, from the JVM's own log; empty when none. */
    private String openedCache(Path home, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "aot", ".log");
        Image.Result r = launch(home, Map.of("JAVA_TOOL_OPTIONS", "-Xlog:aot:file=" + log), args);
        assertEquals(0, r.exitCode(), r.output());
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("Opened AOT cache "))
                    .map(l -> l.replaceAll(".*Opened AOT cache (.*)\\.$", "$1")).findFirst().orElse("");
        }
    }

    @Test
    void cacheMissingCorruptTrainedElsewhereOrForOtherFlags_changesNothingAUserSees() throws Exception {
        Image.Result expected = Image.litefleet(dir, Map.of(), "version");
        assertTrue(expected.output().matches("litefleet \\S+ \\(Java .*\\)\n"), expected.output());
        Path home = lightCopy();
        Path cli = home.resolve("lib/cli.aot");

        assertEquals("", openedCache(home, "version"), "a cache trained for another directory is not offered");
        assertEquals(expected.output(), launch(home, Map.of(), "version").output());

        Files.writeString(home.resolve("lib/aot.home"), home + "\n");
        assertEquals(cli.toString(), openedCache(home, "version"), "offered once aot.home names this directory");
        assertEquals(expected.output(), launch(home, Map.of(), "version").output(), "moved: the JVM refuses it");

        try (var ch = java.nio.channels.FileChannel.open(cli, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(cli) / 2);
        }
        assertEquals(expected.output(), launch(home, Map.of(), "version").output(), "truncated cache");
        byte[] garbage = new byte[4096];
        new java.util.Random(13).nextBytes(garbage);
        Files.write(cli, garbage);
        assertEquals(expected.output(), launch(home, Map.of(), "version").output(), "corrupt cache");
        Files.delete(cli);
        assertEquals(expected.output(), launch(home, Map.of(), "version").output(), "no cache");

        assertEquals(expected.output(), launch(HOME, Map.of("JAVA_OPTS", "-XX:+UseParallelGC -Xmx64m"), "version")
                .output(), "the shipped cache under other JVM flags");
    }

    private Image.Result launch(Path home, Map<String, String> env, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = home.resolve("bin/litefleet").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return Image.run(dir, Duration.ofMinutes(1), env, command);
    }

    /** The image elsewhere: launcher and lib/ copied (mtimes kept, as tar does), runtime/ and plugins/ linked. */
    private Path lightCopy() throws Exception {
        Image.litefleet();
        Path home = Files.createDirectories(dir.resolve("moved"));
        Files.createDirectories(home.resolve("bin"));
        Files.copy(HOME.resolve("bin/litefleet"), home.resolve("bin/litefleet"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(home.resolve("runtime"), HOME.resolve("runtime"));
        Files.createSymbolicLink(home.resolve("plugins"), HOME.resolve("plugins"));
        try (Stream<Path> files = Files.walk(HOME.resolve("lib"))) {
            for (Path f : files.toList()) {
                Path to = home.resolve("lib").resolve(HOME.resolve("lib").relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        assertFalse(Files.readString(home.resolve("lib/aot.home")).strip().equals(home.toString()));
        return home;
    }
}
