package io.litefleet.core.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReplicaClientTest {
    @TempDir
    Path dir;
    Path root;
    ReplicaClient client;

    @BeforeEach
    void open() throws Exception {
        root = dir.resolve("replica");
        client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root", root.toString())));
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void put_ltxKey_landsWhereUpstreamFileBackendLooks() throws Exception {
        String key = ReplicaLayout.LTX_DIRS.key("", 0, 1, 2);
        client.put(key, ObjectBody.of(new byte[] {1, 2, 3}), PutOptions.DEFAULT);
        // upstream: <path>/ltx/<level>/<min>-<max>.ltx with path = the URL's directory
        assertArrayEquals(new byte[] {1, 2, 3},
                Files.readAllBytes(root.resolve("ltx/0/0000000000000001-0000000000000002.ltx")));
    }

    @Test
    void put_withTimestamp_setsTheFileMtime() throws Exception {
        Instant created = Instant.parse("2023-03-04T05:06:07.891Z");
        ObjectInfo put = client.put("a/b", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT.withTimestamp(created));
        assertEquals(ObjectInfo.of("a/b", 1, created), put);
        assertEquals(created, Files.getLastModifiedTime(root.resolve("a/b")).toInstant());
        assertEquals(created, client.list("a/").get(0).lastModified(), "listings carry it too, as upstream's do");
    }

    @Test
    void put_refusedByItsGuard_leavesNoFileAndNoTempFile() throws Exception {
        for (boolean ifAbsent : List.of(false, true)) {
            PutOptions fenced = new PutOptions(ifAbsent, Map.of()).withGuard(() -> {
                throw new ReplicaException(ReplicaFailure.FENCED, "injected: fenced");
            });
            ReplicaException e = assertThrows(ReplicaException.class,
                    () -> client.put("d/x.ltx", ObjectBody.of(new byte[] {1, 2}), fenced));
            assertEquals(ReplicaFailure.FENCED, e.failure(), e.getMessage());
        }
        try (var files = Files.list(root.resolve("d"))) {
            assertEquals(List.of(), files.toList(), "the refused puts left files behind");
        }
    }

    @Test
    void list_skipsTempFilesAndSymbolicLinks() throws Exception {
        client.put("db/ltx/0/x", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        Files.write(root.resolve("db/ltx/0/.x.1234.tmp"), new byte[] {9});
        Files.write(root.resolve("db/ltx/0/y.ltx.tmp"), new byte[] {9}); // upstream's own temp name
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("secret"), new byte[] {7});
        Files.createSymbolicLink(root.resolve("db/link-dir"), outside);
        Files.createSymbolicLink(root.resolve("db/link-file"), outside.resolve("secret"));
        assertEquals(List.of("db/ltx/0/x"), client.list("").stream().map(ObjectInfo::key).toList());
    }

    @Test
    void get_throughSymbolicLinkOutOfRoot_isInvalid() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("secret"), new byte[] {7});
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("escape"), outside);
        ReplicaException e = assertThrows(ReplicaException.class, () -> client.get("escape/secret"));
        assertEquals(ReplicaFailure.INVALID, e.failure());
        assertTrue(e.getMessage().contains("escape/secret"), e.getMessage());
        assertEquals(ReplicaFailure.INVALID, assertThrows(ReplicaException.class,
                () -> client.put("escape/new", ObjectBody.of(new byte[1]), PutOptions.DEFAULT)).failure());
        assertTrue(Files.notExists(outside.resolve("new")), "a write escaped the root");
        client.delete(List.of("escape/secret"));
        assertTrue(Files.exists(outside.resolve("secret")), "a delete escaped the root");
    }

    /**
     * The confinement check is made at every put, not remembered per directory: a directory written to before and
     * then replaced by a link out of the root is refused. A link that stays inside the root is followed.
     */
    @Test
    void put_throughALinkInsideTheRoot_isFollowed_butADirectoryReplacedByALinkOut_isRefused() throws Exception {
        client.put("db/ltx/0/a", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        Files.createSymbolicLink(root.resolve("alias"), Path.of("db"));
        client.put("alias/ltx/0/b", ObjectBody.of(new byte[] {2}), PutOptions.DEFAULT);
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(root.resolve("db/ltx/0/b")));

        Path outside = Files.createDirectories(dir.resolve("outside/ltx/0")).getParent().getParent();
        Files.move(root.resolve("db"), dir.resolve("moved"));
        Files.createSymbolicLink(root.resolve("db"), outside);
        ReplicaException e = assertThrows(ReplicaException.class,
                () -> client.put("db/ltx/0/c", ObjectBody.of(new byte[] {3}), PutOptions.DEFAULT));
        assertEquals(ReplicaFailure.INVALID, e.failure());
        assertTrue(e.getMessage().contains("db/ltx/0/c"), e.getMessage());
        try (var left = Files.list(outside.resolve("ltx/0"))) {
            assertEquals(List.of(), left.toList(), "a write escaped the root");
        }
    }

    @Test
    void put_tempSuffixKey_isInvalidBecauseListingsHideIt() {
        assertEquals(ReplicaFailure.INVALID, assertThrows(ReplicaException.class,
                () -> client.put("a/b.tmp", ObjectBody.of(new byte[1]), PutOptions.DEFAULT)).failure());
    }

    @Test
    void put_intoReadOnlyDirectory_isAuthNamingTheKey() throws Exception {
        Path locked = Files.createDirectories(root.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(locked),
                    "running as a user who can write anywhere (root): permissions cannot be tested here");
            ReplicaException e = assertThrows(ReplicaException.class,
                    () -> client.put("locked/x", ObjectBody.of(new byte[1]), PutOptions.DEFAULT));
            assertEquals(ReplicaFailure.AUTH, e.failure());
            assertTrue(e.getMessage().contains("locked/x"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void put_whereAFileBlocksTheDirectory_isInvalidNamingTheKey() throws Exception {
        client.put("a", ObjectBody.of(new byte[1]), PutOptions.DEFAULT);
        ReplicaException e = assertThrows(ReplicaException.class,
                () -> client.put("a/b", ObjectBody.of(new byte[1]), PutOptions.DEFAULT));
        assertEquals(ReplicaFailure.INVALID, e.failure());
        assertEquals("INVALID: put '" + root.resolve("a/b") + "': File exists (" + root.resolve("a") + ")",
                e.getMessage());
    }

    @Test
    void errors_onTheSharedRoot_nameTheAbsoluteFileNotTheKey() throws Exception {
        // Fleets share one client rooted at '/'; its keys are absolute paths without their leading '/'.
        FileReplicaClientProvider provider = new FileReplicaClientProvider();
        Path replica = dir.resolve("x");
        UrlTarget t = provider.parseUrl(URI.create("file://" + replica));
        try (ReplicaClient shared = provider.create(Settings.of("url", t.destination()))) {
            String missing = ReplicaLayout.LTX_DIRS.key(t.path(), 0, 2, 2);
            ReplicaException get = assertThrows(ReplicaException.class, () -> shared.get(missing));
            assertEquals(ReplicaFailure.NOT_FOUND, get.failure());
            assertEquals("NOT_FOUND: get '" + replica.resolve("ltx/0/0000000000000002-0000000000000002.ltx")
                    + "': No such file or directory", get.getMessage());
            Files.writeString(replica, "a file where the replica directory belongs");
            ReplicaException put = assertThrows(ReplicaException.class, () -> shared.put(
                    ReplicaLayout.LTX_DIRS.key(t.path(), 0, 1, 1), ObjectBody.of(new byte[1]), PutOptions.DEFAULT));
            assertTrue(put.getMessage().endsWith(": put '" + replica.resolve("ltx/0/0000000000000001-"
                    + "0000000000000001.ltx") + "': File exists (" + replica + ")"),
                    "names the file and the file in the way: " + put.getMessage());
        }
    }

    @Test
    void errors_mapToFailureKinds() {
        Path k = Path.of("/r/k");
        assertEquals(ReplicaFailure.NOT_FOUND, FileErrors.map("get", k,
                new java.nio.file.NoSuchFileException("/r/k")).failure());
        assertEquals(ReplicaFailure.AUTH, FileErrors.map("get", k,
                new java.nio.file.AccessDeniedException("/r/k")).failure());
        ReplicaException full = FileErrors.map("put", k,
                new java.nio.file.FileSystemException("/r/.k.1.tmp", null, "No space left on device"));
        assertEquals(ReplicaFailure.IO, full.failure());
        assertTrue(full.isRetryable());
        assertEquals("IO: put '/r/k': No space left on device (/r/.k.1.tmp)", full.getMessage());
        assertEquals(ReplicaFailure.IO, FileErrors.map("get", k, new IOException("EIO")).failure());
    }

    @Test
    void use_afterClose_isABug() {
        client.close();
        client.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> client.stat("a"));
    }
}
