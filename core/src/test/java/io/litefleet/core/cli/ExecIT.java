package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.Daemon;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code replicate -exec} next to upstream's: the same child scripts under {@code litestream replicate -exec} (v0.5.16)
 * and {@code litefleet replicate -exec} give the same exit codes; a signal reaches the child (which records it);
 * what the child wrote just before exiting is in the replica (the final sync after it exits), restored by both tools.
 */
class ExecIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path app;

    @BeforeEach
    void writeApp() throws IOException {
        // $1 signal log, $2 database, $3 exit code, $4 "now" (exit at once) or "wait" (until a signal)
        app = Files.writeString(dir.resolve("app.sh"), """
                #!/bin/sh
                out="$1"; db="$2"; code="$3"
                trap 'echo TERM >> "$out"; exit $code' TERM
                trap 'echo INT >> "$out"; exit $code' INT
                %s -cmd '.timeout 10000' "$db" "INSERT INTO t(v) VALUES ('written by the child')" || exit 99
                echo started >> "$out"
                if [ "$4" = now ]; then exit "$code"; fi
                while :; do sleep 0.1; done
                """.formatted(PeerTools.sqlite3()));
        assertTrue(app.toFile().setExecutable(true));
    }

    @ParameterizedTest(name = "child exits {0}: litefleet exits {1}, as litestream")
    @CsvSource({"0, 0", "3, 1"})
    void childExits_replicationStopsAfterAFinalSync_exitCodeAsUpstream(int childCode, int expected)
            throws Exception {
        Run up = upstream("up", childCode, "now");
        assertEquals(expected, up.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) ? up.process.exitValue() : -1,
                up.log());
        Run ours = ours("lf", childCode, "now");
        assertTrue(ours.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "exits when its child does");
        assertEquals(expected, ours.process.exitValue(), ours.log());
        if (childCode != 0) {
            assertTrue(ours.log().contains("exited with status " + childCode), ours.log());
        }
        assertNoStackTrace(ours.log());
        assertChildRowShipped(ours);
    }

    @ParameterizedTest(name = "SIG{0}, child exits {1}: litefleet exits {2}, as litestream")
    @CsvSource({"TERM, 0, 0", "INT, 0, 0", "TERM, 5, 1", "INT, 5, 1"})
    void signal_isForwardedToTheChild_exitCodeAsUpstream(String signal, int childCode, int expected)
            throws Exception {
        for (boolean upstream : List.of(true, false)) {
            Run run = upstream ? upstream("up-" + signal, childCode, "wait") : ours("lf-" + signal, childCode, "wait");
            try {
                Await.until(WAIT, () -> "child started\n" + run.log(), () -> ItFiles.read(run.signals).contains("started"));
                if (signal.equals("INT")) {
                    Assumptions.assumeFalse(ignoresSigint(run.process.pid()), "skipped: SIGINT is ignored by this "
                            + "process (started from a non-interactive background job); a JVM cannot handle it then");
                }
                send(run.process.pid(), signal);
                assertTrue(run.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "exits after its child: "
                        + run.log());
                assertEquals(expected, run.process.exitValue(), (upstream ? "litestream" : "litefleet") + "\n"
                        + run.log());
                assertEquals("started\n" + signal + "\n", ItFiles.read(run.signals), "the child got SIG" + signal);
            } finally {
                PeerProcess.kill(run.process);
            }
            if (!upstream) {
                assertTrue(run.log().contains("forwarding it to the exec process"), run.log());
                assertNoStackTrace(run.log());
                assertChildRowShipped(run);
            }
        }
    }

    @Test
    void badCommands_areRefusedClearly_exitCodeAsUpstream() throws Exception {
        Path notExecutable = Files.writeString(dir.resolve("plain.txt"), "not a program\n");
        List<List<String>> cases = List.of(
                List.of("no-such-command-litefleet-test --flag", "no-such-command-litefleet-test: executable file "
                        + "not found in $PATH"),
                List.of(notExecutable + " x", "permission denied"),
                List.of("sh -c 'exit 3", "single quote is not closed"));
        int i = 0;
        for (List<String> c : cases) {
            Path db = db("bad" + i);
            Path log = dir.resolve("bad" + i + ".log");
            Process p = Daemon.start(log, java.util.Map.of("LITEFLEET_STATE_DIR", dir.resolve("state").toString()),
                    "replicate", "-exec", c.get(0), db.toString(),
                    dir.resolve("bad-replica" + i).toUri().toString());
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            String out = Files.readString(log);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains(c.get(1)) && out.contains(c.get(0)), out);
            assertNoStackTrace(out);
            Path upDb = db("bad-up" + i);
            var up = PeerProcess.run(dir, WAIT, List.of(PeerTools.litestream().toString(), "replicate", "-exec",
                    c.get(0), upDb.toString(), dir.resolve("bad-up-replica" + i).toUri().toString()));
            assertEquals(up.exitCode(), p.exitValue(), "litestream: " + up.both());
            i++;
        }
        CliRun once = CliRun.of("replicate", "-once", "-exec", "true", db("x").toString(), "file:///tmp/x");
        assertEquals(1, once.code());
        assertTrue(once.err().contains("cannot specify -once flag with -exec"), once.err());
        CliRun blank = CliRun.of("replicate", "-exec", " ", db("y").toString(), "file:///tmp/y");
        assertEquals(1, blank.code());
        assertTrue(blank.err().contains("-exec needs a command"), blank.err());
    }

    /** One replicate process with its child's signal log and its database and replica. */
    private record Run(Process process, Path logFile, Path signals, Path db, Path replica) {
        String log() {
            return ItFiles.read(logFile);
        }
    }

    private Run ours(String name, int childCode, String mode) throws Exception {
        Path db = db(name);
        Path signals = dir.resolve(name + ".signals");
        Path replica = dir.resolve(name + "-replica");
        Path log = dir.resolve(name + ".log");
        Process p = Daemon.start(log, java.util.Map.of("LITEFLEET_STATE_DIR", dir.resolve(name + "-state").toString()),
                "replicate", "-exec", command(signals, db, childCode, mode), db.toString(), replica.toUri().toString());
        return new Run(p, log, signals, db, replica);
    }

    private Run upstream(String name, int childCode, String mode) throws Exception {
        Path db = db(name);
        Path signals = dir.resolve(name + ".signals");
        Path replica = dir.resolve(name + "-replica");
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(PeerTools.litestream().toString(), "replicate", "-exec",
                command(signals, db, childCode, mode), db.toString(), replica.toUri().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Run(p, log, signals, db, replica);
    }

    private String command(Path signals, Path db, int code, String mode) {
        return app + " " + signals + " " + db + " " + code + " " + mode;
    }

    private void assertChildRowShipped(Run run) throws Exception {
        try (Connection c = SqliteFiles.open(run.db)) {
            assertEquals("1", SqliteFiles.queryString(c, "SELECT count(*) FROM t WHERE v = 'written by the child'"));
        }
        BothRestores.assertRestore(dir, run.replica, DbContent.hash(run.db), "replica of " + run.db);
    }

    private Path db(String name) throws Exception {
        return ItFiles.walDb(dir.resolve(name + ".db"), "before the child");
    }

    private static void send(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " " + pid).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -s " + signal);
    }

    /** Whether SIGINT is in the process's ignored set ({@code SigIgn} in /proc, bit 2 = signal 2). */
    private static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 2) != 0;
            }
        }
        return false;
    }

    private static void assertNoStackTrace(String log) {
        assertFalse(log.contains("\tat "), "no stack trace:\n" + log);
    }
}
