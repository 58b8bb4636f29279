package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ExecRunTest {
    @Test
    void relay_signalWhileTheChildStarts_isForwardedOnceItRuns() throws Exception {
        ExecRun.Relay relay = new ExecRun.Relay();
        relay.accept("TERM"); // before the child exists: held, not lost
        ExecChild child = relay.attach(ExecChild.start("sleep 30"));
        assertTrue(child.waitFor(10_000), "the held SIGTERM ended the child");
        assertEquals(0, child.exitCode(), "ended by the forwarded signal: exit 0, as upstream");
    }

    @Test
    void exitCode_childFailingOnItsOwn_isAnErrorNamingItsStatus() throws Exception {
        ExecChild child = ExecChild.start("sh -c 'exit 4'");
        assertTrue(child.waitFor(10_000));
        String m = assertThrows(UserException.class, child::exitCode).getMessage();
        assertEquals("exec command \"sh -c 'exit 4'\" exited with status 4", m);
    }

    @Test
    void run_childExits_stopsReplicationAndGivesSignalsBack() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        StopOnce stop = new StopOnce(closed::incrementAndGet);
        Consumer<String> toStop = sig -> stop.run();
        AtomicReference<Consumer<String>> onSignal = new AtomicReference<>(toStop);
        assertEquals(0, ExecRun.run("true", stop, onSignal, Duration.ofMillis(50), () -> { }));
        assertEquals(1, closed.get(), "replication stopped once the child exited");
        assertSame(toStop, onSignal.get(), "signals stop the daemon again");
        assertThrows(UserException.class, () -> ExecRun.run("no-such-command-litefleet-test", new StopOnce(),
                onSignal, Duration.ofMillis(50), () -> { }));
        assertSame(toStop, onSignal.get(), "given back when the child cannot start");
    }

    @Test
    void run_endingAnotherWay_endsTheChildToo() throws Exception {
        java.nio.file.Path pidFile = java.nio.file.Files.createTempFile("exec-child", ".pid");
        try {
            AtomicReference<Consumer<String>> onSignal = new AtomicReference<>(sig -> { });
            RuntimeException failure = new IllegalStateException("status failed");
            // The child writes its pid and sleeps; the status callback then fails, as a bug or an error would.
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> ExecRun.run(
                    "sh -c 'echo $$ > " + pidFile + "; exec sleep 60'", new StopOnce(), onSignal,
                    Duration.ofMillis(50), () -> {
                        if (!readPid(pidFile).isEmpty()) {
                            throw failure;
                        }
                    }));
            assertSame(failure, thrown);
            long pid = Long.parseLong(readPid(pidFile));
            java.util.Optional<ProcessHandle> left = ProcessHandle.of(pid);
            assertTrue(left.isEmpty() || !left.get().isAlive(), "the application does not run on unreplicated");
        } finally {
            java.nio.file.Files.deleteIfExists(pidFile);
        }
    }

    private static String readPid(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
