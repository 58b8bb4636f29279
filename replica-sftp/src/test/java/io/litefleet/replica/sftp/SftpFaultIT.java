package io.litefleet.replica.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.server.OpenSshd;
import io.litefleet.testkit.server.OpenSshdExtension;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;

/**
 * Faults with Debian's sshd (one per class, stopped and restarted by the tests): the server killed under an upload,
 * connections dropped under a call and under a read, the server down at the first call.
 */
class SftpFaultIT {
    @RegisterExtension
    static final OpenSshdExtension SSHD = new OpenSshdExtension();

    @AfterEach
    void serverRunsAgain() throws Exception {
        if (!sshd().isRunning()) {
            sshd().restart();
        }
    }

    @Test
    void serverKilledMidUpload_failsRetryably_listsNothing_andTheTempFileIsRemovedAfterReconnecting(TestInfo t)
            throws Exception {
        String key = prefix(t) + "db/ltx/0/0000000000000001-0000000000000001.ltx";
        GatedBody body = new GatedBody(7, 8L << 20, 1L << 20);
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            CompletableFuture<Object> upload = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.put(key, body, PutOptions.DEFAULT);
                } catch (ReplicaException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            body.awaitGate();
            awaitTempFile(sshd().root().resolve(prefix(t)));
            sshd().stop();
            body.release();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> upload.get(120, TimeUnit.SECONDS));
            ReplicaException e = (ReplicaException) failed.getCause();
            assertEquals(ReplicaFailure.UNAVAILABLE, e.failure(), e.getMessage());
            assertTrue(e.isRetryable());
            assertTrue(e.getMessage().contains("sftp://" + sshd().user() + "@" + sshd().hostPort() + ": put " + key),
                    e.getMessage());
            assertEquals(1, SftpReplicaClientIT.tempFiles(sshd().root().resolve(prefix(t))).size(),
                    "the dead server kept the partial temp file");

            sshd().restart();
            try (ReplicaClient fresh = SftpTestClients.keyClient(sshd())) {
                assertEquals(List.of(), fresh.list(prefix(t)), "a partial upload is never listed");
                assertTrue(fresh.stat(key).isEmpty());
            }
            assertTrue(c.stat(key).isEmpty(), "the client reconnects by itself");
            assertEquals(List.of(), SftpReplicaClientIT.tempFiles(sshd().root().resolve(prefix(t))),
                    "the client removed its orphaned temp file after reconnecting");
            c.put(key, body, PutOptions.DEFAULT);
            try (InputStream in = c.get(key)) {
                assertArrayEquals(body.bytes(), in.readAllBytes());
            }
        }
    }

    @Test
    void droppedConnection_nextCallReconnectsWithoutAnError(TestInfo t) throws Exception {
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            c.put(prefix(t) + "a", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
            long logins = sshd().acceptedLogins();
            sshd().dropConnections();
            assertEquals(1, c.list(prefix(t)).size());
            c.put(prefix(t) + "b", ObjectBody.of(new byte[] {2}), PutOptions.DEFAULT);
            assertEquals(logins + 1, sshd().acceptedLogins(), "exactly one new login:\n" + sshd().log());
        }
    }

    @Test
    void droppedConnection_midRead_failsTheStreamRetryably_andTheNextReadWorks(TestInfo t) throws Exception {
        GatedBody body = new GatedBody(11, 4L << 20, -1);
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            c.put(prefix(t) + "big", body, PutOptions.DEFAULT);
            ReplicaException e;
            try (InputStream in = c.get(prefix(t) + "big")) {
                assertEquals(100_000, in.readNBytes(100_000).length);
                sshd().dropConnections();
                e = assertThrows(ReplicaException.class, in::readAllBytes);
            }
            assertEquals(ReplicaFailure.UNAVAILABLE, e.failure(), e.getMessage());
            assertTrue(e.getMessage().contains(": get " + prefix(t) + "big: "), e.getMessage());
            try (InputStream in = c.get(prefix(t) + "big")) {
                assertArrayEquals(body.bytes(), in.readAllBytes());
            }
        }
    }

    @Test
    void serverDown_isUnavailableNamingTheDestination_untilItIsBack(TestInfo t) throws Exception {
        sshd().stop();
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            ReplicaException e = assertThrows(ReplicaException.class, () -> c.list(prefix(t)));
            assertEquals(ReplicaFailure.UNAVAILABLE, e.failure(), e.getMessage());
            assertTrue(e.getMessage().contains("sftp://" + sshd().user() + "@" + sshd().hostPort()), e.getMessage());
            assertFalse(e.getMessage().contains("client_ed25519"), "no key material or path: " + e.getMessage());
            sshd().restart();
            assertEquals(List.of(), c.list(prefix(t)));
        }
    }

    private static void awaitTempFile(Path under) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (SftpReplicaClientIT.tempFiles(under).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no temp file under " + under + " within 60 s");
            }
            Thread.sleep(10);
        }
    }

    private static String prefix(TestInfo t) {
        return t.getTestMethod().orElseThrow().getName() + "/";
    }

    private static OpenSshd sshd() {
        return SSHD.server();
    }
}
