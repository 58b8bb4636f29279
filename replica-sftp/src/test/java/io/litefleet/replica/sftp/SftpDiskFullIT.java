package io.litefleet.replica.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.server.OpenSshd;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk on the server: sshd runs in its own mount namespace ({@code unshare --mount}) where its SFTP root is a
 * 2 MiB tmpfs, so nothing outside that process sees the mount and it vanishes with it. Needs root (mounting);
 * elsewhere the test is skipped saying so.
 */
class SftpDiskFullIT {
    private static final long TMPFS = 2L << 20;

    @TempDir
    static Path dir;
    private static OpenSshd sshd;

    @BeforeAll
    static void startServer() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && PeerTools.find("unshare").isPresent(),
                "skipped: a small full disk needs root and unshare(1) to mount a tmpfs in sshd's own mount namespace");
        Path root = dir.resolve("sshd").resolve("root");
        sshd = OpenSshd.start(dir.resolve("sshd"), List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=" + TMPFS + " litefleet-test-full '" + root + "' && exec \"$0\" \"$@\""));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void fullDisk_failsTheUploadRetryably_removesItsTempFile_andLaterUploadsFit() throws Exception {
        try (ReplicaClient c = SftpTestClients.keyClient(sshd)) {
            byte[] first = new byte[1 << 20];
            c.put("db/ltx/0/0000000000000001-0000000000000001.ltx", ObjectBody.of(first), PutOptions.DEFAULT);
            String key = "db/ltx/0/0000000000000002-0000000000000002.ltx";
            ReplicaException e = assertThrows(ReplicaException.class,
                    () -> c.put(key, new GatedBody(3, 3L << 20, -1), PutOptions.DEFAULT));
            assertEquals(ReplicaFailure.IO, e.failure(), e.getMessage());
            assertTrue(e.isRetryable());
            assertTrue(e.getMessage().contains("sftp://" + sshd.user() + "@" + sshd.hostPort() + ": put " + key),
                    e.getMessage());
            assertEquals(List.of("db/ltx/0/0000000000000001-0000000000000001.ltx"),
                    c.list("db/").stream().map(ObjectInfo::key).toList());
            // Fits only if the failed upload's temp file (which filled the disk) was removed.
            byte[] third = new byte[900 << 10];
            java.util.Arrays.fill(third, (byte) 3);
            c.put(key, ObjectBody.of(third), PutOptions.DEFAULT);
            try (InputStream in = c.get(key)) {
                assertArrayEquals(third, in.readAllBytes());
            }
        }
    }
}
