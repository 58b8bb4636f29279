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
import io.litefleet.testkit.server.OpenSshd;
import io.litefleet.testkit.server.OpenSshdExtension;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** What the SFTP client does on the server's disk, checked against Debian's OpenSSH sshd (one per class). */
class SftpReplicaClientIT {
    @RegisterExtension
    static final OpenSshdExtension SSHD = new OpenSshdExtension();
    @TempDir
    static Path dir;

    @Test
    void put_landsAtTheKeyUnderTheSftpStartDirectory_andLeavesNoTempFile(TestInfo t) throws Exception {
        String key = prefix(t) + "db/ltx/0/0000000000000001-0000000000000001.ltx";
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            c.put(key, ObjectBody.of("first".getBytes(StandardCharsets.UTF_8)), PutOptions.DEFAULT);
            c.put(key, ObjectBody.of("second".getBytes(StandardCharsets.UTF_8)), PutOptions.DEFAULT);
        }
        assertEquals("second", Files.readString(sshd().root().resolve(key)));
        assertEquals(List.of(), tempFiles(sshd().root().resolve(prefix(t))));
    }

    @Test
    void put_refusedByItsGuard_isFencedAndLeavesNoFileAndNoTempFile(TestInfo t) throws Exception {
        String key = prefix(t) + "db/ltx/0/0000000000000001-0000000000000001.ltx";
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            for (boolean ifAbsent : List.of(false, true)) {
                PutOptions fenced = new PutOptions(ifAbsent, Map.of()).withGuard(() -> {
                    throw new ReplicaException(ReplicaFailure.FENCED, "injected: fenced");
                });
                ReplicaException e = assertThrows(ReplicaException.class,
                        () -> c.put(key, ObjectBody.of(new byte[1000]), fenced));
                assertEquals(ReplicaFailure.FENCED, e.failure(), e.getMessage());
            }
        }
        assertTrue(Files.notExists(sshd().root().resolve(key)), "a refused put published " + key);
        assertEquals(List.of(), tempFiles(sshd().root().resolve(prefix(t))));
    }

    @Test
    void put_withTimestamp_makesItTheMtimeInWholeSeconds(TestInfo t) throws Exception {
        Instant created = Instant.parse("2024-05-06T07:08:09.987654321Z");
        String key = prefix(t) + "ts";
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            ObjectInfo put = c.put(key, ObjectBody.of(new byte[10]), PutOptions.DEFAULT.withTimestamp(created));
            Instant seconds = Instant.parse("2024-05-06T07:08:09Z");
            assertEquals(seconds, put.lastModified());
            assertEquals(seconds, c.stat(key).orElseThrow().createdAt());
            assertEquals(seconds, c.list(prefix(t)).get(0).createdAt());
            c.put(key + "2", ObjectBody.of(new byte[1]), PutOptions.createOnly().withTimestamp(created));
            assertEquals(seconds, c.stat(key + "2").orElseThrow().createdAt(), "conditional create too");
        }
        assertEquals(Instant.parse("2024-05-06T07:08:09Z"),
                Files.getLastModifiedTime(sshd().root().resolve(key)).toInstant(), "mtime on the server's disk");
    }

    @Test
    void list_skipsTempFilesOfBothToolsAndSymbolicLinks(TestInfo t) throws Exception {
        Path level = Files.createDirectories(sshd().root().resolve(prefix(t) + "db/ltx/0"));
        String name = "0000000000000001-0000000000000001.ltx";
        Files.writeString(level.resolve(name), "real");
        Files.writeString(level.resolve("." + name + ".0123456789abcdef.tmp"), "ours, half-written");
        Files.writeString(level.resolve(name + ".4242.1733300000000000000.tmp"), "upstream's, half-written");
        Files.createSymbolicLink(level.resolve("0000000000000002-0000000000000002.ltx"), Path.of("/etc/hostname"));
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            assertEquals(List.of(prefix(t) + "db/ltx/0/" + name),
                    c.list(prefix(t) + "db/ltx/0/").stream().map(ObjectInfo::key).toList());
            assertEquals(1, c.list(prefix(t)).size());
        }
    }

    @Test
    void root_absoluteDirectory_holdsTheKeys(TestInfo t) throws Exception {
        Path abs = Files.createDirectories(dir.resolve("absolute-root"));
        try (ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), Map.of("root",
                abs.toString())))) {
            assertEquals("sftp://" + sshd().user() + "@" + sshd().hostPort() + "/" + abs, c.describe());
            c.put("a/b", ObjectBody.of(new byte[] {7}), PutOptions.DEFAULT);
            assertEquals(List.of("a/b"), c.list("").stream().map(ObjectInfo::key).toList());
        }
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(abs.resolve("a/b")));
    }

    @Test
    void concurrentCallers_shareOneConnection_onAtMostTheConfiguredChannels(TestInfo t) throws Exception {
        long loginsBefore = sshd().acceptedLogins();
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), Map.of("channels", "3")))) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String key = prefix(t) + "k" + i;
                byte[] data = ("writer " + i).repeat(20_000).getBytes(StandardCharsets.UTF_8);
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        c.put(key, ObjectBody.of(data), PutOptions.DEFAULT);
                        try (InputStream in = c.get(key)) {
                            assertArrayEquals(data, in.readAllBytes());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            int channels = ((SftpReplicaClient) c).channelCount();
            assertTrue(channels >= 2 && channels <= 3, "channels open: " + channels);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(loginsBefore + 1, sshd().acceptedLogins(), "one SSH login served all threads:\n" + sshd().log());
    }

    @Test
    void manyKeys_listAndDeletePastOneThousand(TestInfo t) throws Exception {
        int n = 1_100;
        String level = prefix(t) + "db/ltx/0/";
        List<String> keys = IntStream.rangeClosed(1, n).mapToObj(i -> level + String.format(
                "%016x-%016x.ltx", i, i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            List<Future<?>> done = new ArrayList<>();
            for (String key : keys) {
                done.add(pool.submit(() -> c.put(key, ObjectBody.of(key.getBytes(StandardCharsets.UTF_8)),
                        PutOptions.DEFAULT)));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(keys, c.list(level).stream().map(ObjectInfo::key).toList());
            c.delete(keys.subList(0, 1_050));
            assertEquals(keys.subList(1_050, n), c.list(level).stream().map(ObjectInfo::key).toList());
            c.delete(keys);
            assertEquals(List.of(), c.list(level));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void get_rangesOfAFileWrittenOnTheServer_matchItsBytes(TestInfo t) throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(42).nextBytes(data);
        Path file = Files.createDirectories(sshd().root().resolve(prefix(t))).resolve("blob");
        Files.write(file, data);
        try (ReplicaClient c = SftpTestClients.keyClient(sshd())) {
            for (long[] r : new long[][] {{0, 1}, {32_767, 2}, {65_536, 100_000}, {299_999, 10}, {300_000, 5},
                    {400_000, 5}, {1, Long.MAX_VALUE}}) {
                int from = (int) Math.min(r[0], data.length);
                int to = (int) Math.min(data.length, Math.min((long) data.length, r[0] + Math.min(r[1], data.length)));
                try (InputStream in = c.get(prefix(t) + "blob", r[0], r[1])) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, from, Math.max(from, to)), in.readAllBytes(),
                            "range " + r[0] + "+" + r[1]);
                }
            }
        }
    }

    private static String prefix(TestInfo t) {
        return t.getTestMethod().orElseThrow().getName() + "/";
    }

    static List<Path> tempFiles(Path under) throws Exception {
        if (!Files.exists(under)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(under)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static OpenSshd sshd() {
        return SSHD.server();
    }
}
