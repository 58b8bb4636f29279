package io.litefleet.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The suite every {@link ReplicaClient} must pass. A backend's test extends this class and implements
 * {@link #openClient()}. A backend that cannot offer a {@link Capability} overrides {@link #supports} and
 * {@link #unsupportedReason}; the tests needing it are then reported as skipped with that reason, never passed.
 *
 * <p>Each test works under its own random key prefix ({@link #base()}), so a shared bucket is fine, and prints
 * its seed; set {@code -Dlitefleet.test.seed=<seed>} to replay one.
 */
public abstract class ReplicaClientContract {

    /** Optional parts of the contract. */
    public enum Capability {
        /** Arbitrary user metadata comes back from {@link ReplicaClient#stat}. */
        USER_METADATA,
        /** {@link PutOptions#TIMESTAMP} comes back as {@link ObjectInfo#createdAt()}. */
        TIMESTAMP,
        /** {@link PutOptions#ifAbsent()} is honoured atomically. */
        CONDITIONAL_CREATE
    }

    /** Size of the streaming test's object. */
    protected static final long LARGE_OBJECT = 64L << 20;

    private ReplicaClient client;
    private String base;
    private long seed;

    /**
     * A client on a destination this test may write to. Called before every test; the contract closes it.
     */
    protected abstract ReplicaClient openClient() throws Exception;

    /** Whether the backend offers {@code capability}; all of them by default. */
    protected boolean supports(Capability capability) {
        return true;
    }

    /** Why the backend lacks {@code capability}, shown in the skipped test's report. */
    protected String unsupportedReason(Capability capability) {
        return getClass().getSimpleName() + " declares " + capability + " unsupported";
    }

    /**
     * Size of a body that every backend sends in several requests by default (S3's 5 MiB parts, Azure's 8 MiB blocks,
     * GCS's 8 MiB chunks), so a commit-point check is tested where the object is published by a last request.
     */
    protected long chunkedObjectSize() {
        return 9L << 20;
    }

    /** Size of the object the streaming test writes and reads back. */
    protected long largeObjectSize() {
        return LARGE_OBJECT;
    }

    /** The client under test. */
    protected final ReplicaClient client() {
        return client;
    }

    /** This test's key prefix, ending in {@code /}. */
    protected final String base() {
        return base;
    }

    /** Opens the client and picks this test's prefix. */
    @BeforeEach
    public final void openContractClient() throws Exception {
        seed = Long.getLong("litefleet.test.seed", new SplittableRandom().nextLong());
        System.out.println(getClass().getName() + ": seed=" + seed + " (replay with -Dlitefleet.test.seed=" + seed
                + ")");
        base = "contract-" + Long.toHexString(seed) + "/";
        client = openClient();
    }

    /** Closes the client. */
    @AfterEach
    public final void closeContractClient() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    public void put_thenGet_returnsTheSameBytes() throws Exception {
        byte[] data = bytes(seed, 10_000);
        ObjectInfo info = client.put(base + "a/1.ltx", ObjectBody.of(data), PutOptions.DEFAULT);
        assertEquals(base + "a/1.ltx", info.key());
        assertEquals(data.length, info.size());
        assertArrayEquals(data, read(client.get(base + "a/1.ltx")));
    }

    @Test
    public void put_emptyBody_storesAnEmptyObject() throws Exception {
        client.put(base + "empty", ObjectBody.of(new byte[0]), PutOptions.DEFAULT);
        assertEquals(0, client.stat(base + "empty").orElseThrow().size());
        assertArrayEquals(new byte[0], read(client.get(base + "empty")));
    }

    @Test
    public void put_existingKey_replacesTheContent() throws Exception {
        client.put(base + "k", ObjectBody.of(bytes(seed, 500)), PutOptions.DEFAULT);
        byte[] second = bytes(seed + 1, 300);
        client.put(base + "k", ObjectBody.of(second), PutOptions.DEFAULT);
        assertArrayEquals(second, read(client.get(base + "k")));
        assertEquals(300, client.stat(base + "k").orElseThrow().size());
    }

    @Test
    public void get_range_returnsTheSliceAndStopsAtTheEnd() throws Exception {
        byte[] data = bytes(seed, 4096);
        client.put(base + "r", ObjectBody.of(data), PutOptions.DEFAULT);
        assertArrayEquals(slice(data, 100, 200), read(client.get(base + "r", 100, 200)));
        assertArrayEquals(slice(data, 4000, 96), read(client.get(base + "r", 4000, 1000)), "range past the end");
        assertArrayEquals(slice(data, 0, 4096), read(client.get(base + "r", 0, Long.MAX_VALUE)));
        assertArrayEquals(new byte[0], read(client.get(base + "r", 100, 0)), "zero length");
    }

    @Test
    public void get_absentKey_isNotFound() {
        assertFailure(ReplicaFailure.NOT_FOUND, () -> client.get(base + "missing"));
        assertFailure(ReplicaFailure.NOT_FOUND, () -> client.get(base + "missing", 0, 10));
    }

    @Test
    public void stat_reportsSizeAndAModificationTimeNearNow() throws Exception {
        Instant before = Instant.now().minusSeconds(300);
        client.put(base + "s", ObjectBody.of(bytes(seed, 1234)), PutOptions.DEFAULT);
        ObjectInfo info = client.stat(base + "s").orElseThrow(() -> new AssertionError("stat found nothing"));
        assertEquals(base + "s", info.key());
        assertEquals(1234, info.size());
        assertTrue(info.lastModified().isAfter(before) && info.lastModified().isBefore(Instant.now().plusSeconds(300)),
                "lastModified " + info.lastModified() + " is not near now");
    }

    @Test
    public void stat_absentKey_isEmpty() throws Exception {
        assertTrue(client.stat(base + "missing").isEmpty());
    }

    @Test
    public void list_returnsEveryKeySortedWithSizes() throws Exception {
        List<String> keys = new ArrayList<>(List.of("ltx/0/0000000000000003-0000000000000003.ltx",
                "ltx/0/0000000000000001-0000000000000001.ltx", "ltx/1/0000000000000001-0000000000000003.ltx",
                "ltx/0/0000000000000002-0000000000000002.ltx", "z", "a-b", "a/b"));
        java.util.Collections.shuffle(keys, new java.util.Random(seed));
        for (int i = 0; i < keys.size(); i++) {
            client.put(base + keys.get(i), ObjectBody.of(bytes(seed, 10 + keys.get(i).length())), PutOptions.DEFAULT);
        }
        List<ObjectInfo> listed = client.list(base);
        List<String> expected = keys.stream().map(k -> base + k).sorted().toList();
        assertEquals(expected, listed.stream().map(ObjectInfo::key).toList());
        for (ObjectInfo info : listed) {
            assertEquals(10 + info.key().length() - base.length(), info.size(), info.key());
        }
    }

    @Test
    public void list_prefix_isolatesSiblingsAndMatchesPartialSegments() throws Exception {
        for (String k : List.of("db/ltx/0/a", "db/ltx/0/b", "db/ltx/1/a", "db2/ltx/0/a", "dbx", "d")) {
            client.put(base + k, ObjectBody.of(bytes(seed, 1)), PutOptions.DEFAULT);
        }
        assertEquals(keys("db/ltx/0/a", "db/ltx/0/b", "db/ltx/1/a"), listed(base + "db/"));
        assertEquals(keys("db/ltx/0/a", "db/ltx/0/b"), listed(base + "db/ltx/0/"));
        assertEquals(keys("db/ltx/0/a", "db/ltx/0/b", "db/ltx/1/a", "db2/ltx/0/a", "dbx"), listed(base + "db"));
        assertEquals(keys("db/ltx/0/a", "db/ltx/0/b", "db/ltx/1/a"), listed(base + "db/lt"));
        assertEquals(List.of(), listed(base + "nothing/"));
        assertEquals(List.of(), listed(base + "db/ltx/9/"));
    }

    @Test
    public void delete_removesTheKeysAndIgnoresAbsentOnes() throws Exception {
        client.put(base + "x/1", ObjectBody.of(bytes(seed, 3)), PutOptions.DEFAULT);
        client.put(base + "x/2", ObjectBody.of(bytes(seed, 3)), PutOptions.DEFAULT);
        client.delete(List.of(base + "x/1", base + "x/never"));
        assertTrue(client.stat(base + "x/1").isEmpty());
        assertEquals(keys("x/2"), listed(base));
        client.delete(List.of(base + "x/1")); // again: still not an error
        client.delete(List.of());
        assertEquals(keys("x/2"), listed(base));
    }

    @Test
    public void putIfAbsent_existingKey_failsAndKeepsTheFirstContent() throws Exception {
        assume(Capability.CONDITIONAL_CREATE);
        byte[] first = bytes(seed, 100);
        client.put(base + "c", ObjectBody.of(first), PutOptions.createOnly());
        ReplicaException e = assertFailure(ReplicaFailure.PRECONDITION_FAILED,
                () -> client.put(base + "c", ObjectBody.of(bytes(seed + 1, 50)), PutOptions.createOnly()));
        assertTrue(e.getMessage().contains(base + "c"), "message names the key: " + e.getMessage());
        assertArrayEquals(first, read(client.get(base + "c")));
    }

    @Test
    public void putIfAbsent_raceBetweenThreads_exactlyOneWinsEachKey() throws Exception {
        assume(Capability.CONDITIONAL_CREATE);
        int threads = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());
        int rounds = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = base + "race/" + round;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    byte[] mine = ("writer-" + t + "-").repeat(1000).getBytes(StandardCharsets.UTF_8);
                    results.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        try {
                            client.put(key, ObjectBody.of(mine), PutOptions.createOnly());
                            return true;
                        } catch (ReplicaException e) {
                            assertEquals(ReplicaFailure.PRECONDITION_FAILED, e.failure(), e.getMessage());
                            return false;
                        }
                    }));
                }
                int winner = -1;
                for (int t = 0; t < threads; t++) {
                    if (results.get(t).get(60, TimeUnit.SECONDS)) {
                        assertEquals(-1, winner, "two writers won " + key + ": " + winner + " and " + t);
                        winner = t;
                    }
                }
                assertTrue(winner >= 0, "no writer won " + key);
                assertArrayEquals(("writer-" + winner + "-").repeat(1000).getBytes(StandardCharsets.UTF_8),
                        read(client.get(key)), "content of " + key + " is the winner's");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void put_largeObject_streamsBothWays() throws Exception {
        long size = largeObjectSize();
        ObjectBody body = new GeneratedBody(seed, size);
        assertEquals(size, client.put(base + "large", body, PutOptions.DEFAULT).size());
        assertEquals(size, client.stat(base + "large").orElseThrow().size());
        try (InputStream actual = client.get(base + "large"); InputStream expected = body.open()) {
            assertSameStream(expected, actual);
        }
        long mid = size / 2 + 7;
        try (InputStream actual = client.get(base + "large", mid, 1 << 20);
             InputStream expected = body.open()) {
            expected.skipNBytes(mid);
            assertArrayEquals(expected.readNBytes(1 << 20), read(actual), "range in the middle");
        }
    }

    @Test
    public void put_bodyFailingMidway_leavesNoObject() throws Exception {
        ObjectBody failing = new ObjectBody() {
            @Override
            public long length() {
                return 1 << 20;
            }

            @Override
            public InputStream open() {
                return new InputStream() {
                    private int left = 100_000;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0];
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (left == 0) {
                            throw new IOException("injected: the source broke");
                        }
                        int n = Math.min(len, left);
                        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                        left -= n;
                        return n;
                    }
                };
            }
        };
        assertThrows(ReplicaException.class, () -> client.put(base + "broken", failing, PutOptions.DEFAULT));
        assertTrue(client.stat(base + "broken").isEmpty(), "a failed put left an object");
        assertEquals(List.of(), listed(base), "a failed put left something listable");
    }

    @Test
    public void put_bodyShorterThanDeclared_isRejectedAndLeavesNoObject() throws Exception {
        ObjectBody lying = new ObjectBody() {
            @Override
            public long length() {
                return 200;
            }

            @Override
            public InputStream open() {
                return new java.io.ByteArrayInputStream(new byte[100]);
            }
        };
        assertThrows(ReplicaException.class, () -> client.put(base + "short", lying, PutOptions.DEFAULT));
        assertTrue(client.stat(base + "short").isEmpty());
    }

    @Test
    public void list_pastOneThousandKeys_returnsEveryKeySorted() throws Exception {
        List<String> keys = manyKeys("many/");
        putAll(keys, 16);
        client.put(base + "manz", ObjectBody.of(bytes(seed, 1)), PutOptions.DEFAULT); // a sibling just after them
        List<ObjectInfo> listed = client.list(base + "many/");
        assertEquals(keys.stream().sorted().toList(), listed.stream().map(ObjectInfo::key).toList(),
                "every one of " + keys.size() + " keys, sorted, and nothing else");
        assertTrue(listed.stream().allMatch(i -> i.size() == 16), "sizes");
        assertEquals(keys.size() + 1, client.list(base).size(), "the whole prefix");
    }

    @Test
    public void delete_pastOneThousandKeysInOneCall_removesThemAll() throws Exception {
        List<String> keys = manyKeys("gone/");
        putAll(keys, 1);
        client.put(base + "kept", ObjectBody.of(bytes(seed, 1)), PutOptions.DEFAULT);
        List<String> request = new ArrayList<>(keys);
        request.add(base + "gone/never-written");
        java.util.Collections.shuffle(request, new java.util.Random(seed));
        client.delete(request);
        assertEquals(keys("kept"), listed(base), "only the key that was not deleted is left");
    }

    @Test
    public void put_concurrentWriters_differentAndSameKeys_neverListAPartialObject() throws Exception {
        int writers = 8;
        int rounds = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            CyclicBarrier start = new CyclicBarrier(writers + 1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int r = 0; r < rounds; r++) {
                        client.put(base + "own/" + writer + "/" + r, ObjectBody.of(writerBytes(writer)),
                                PutOptions.DEFAULT);
                        client.put(base + "shared", ObjectBody.of(writerBytes(writer)), PutOptions.DEFAULT);
                    }
                    return null;
                }));
            }
            Future<Integer> reader = pool.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                int checks = 0;
                do {
                    for (ObjectInfo info : client.list(base)) {
                        assertWhole(info.key(), info.size(), null);
                        checks++;
                    }
                    if (client.stat(base + "shared").isPresent()) {
                        assertWhole(base + "shared", -1, read(client.get(base + "shared")));
                    }
                } while (writing.get());
                return checks;
            });
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            reader.get(120, TimeUnit.SECONDS);
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
        List<String> expected = new ArrayList<>(List.of(base + "shared"));
        for (int w = 0; w < writers; w++) {
            for (int r = 0; r < rounds; r++) {
                expected.add(base + "own/" + w + "/" + r);
                assertArrayEquals(writerBytes(w), read(client.get(base + "own/" + w + "/" + r)));
            }
        }
        assertEquals(expected.stream().sorted().toList(), listed(base), "every key once, nothing else");
        assertWhole(base + "shared", -1, read(client.get(base + "shared")));
    }

    /** Keys every backend must refuse. */
    public static Stream<String> badKeys() {
        return Stream.of("", "/abs/key", "a//b", "a/", "../escape", "a/../../b", "a/./b", "a\\b", "a\u0000b");
    }

    @ParameterizedTest
    @MethodSource("badKeys")
    public void badKey_isRejectedAsInvalidByEveryOperation(String bad) {
        String key = bad.isEmpty() || bad.startsWith("/") ? bad : base + bad;
        assertFailure(ReplicaFailure.INVALID, () -> client.put(key, ObjectBody.of(new byte[1]), PutOptions.DEFAULT));
        assertFailure(ReplicaFailure.INVALID, () -> client.get(key));
        assertFailure(ReplicaFailure.INVALID, () -> client.get(key, 0, 1));
        assertFailure(ReplicaFailure.INVALID, () -> client.stat(key));
        assertFailure(ReplicaFailure.INVALID, () -> client.delete(List.of(key)));
    }

    @Test
    public void badPrefix_isRejectedAsInvalid() {
        for (String prefix : List.of("/abs", base + "a//", "../", base + "../x")) {
            assertFailure(ReplicaFailure.INVALID, () -> client.list(prefix));
        }
    }

    @Test
    public void metadata_roundTripsThroughStat() throws Exception {
        assume(Capability.USER_METADATA);
        Map<String, String> meta = Map.of("litefleet-test", "value-" + seed);
        client.put(base + "m", ObjectBody.of(bytes(seed, 10)), PutOptions.DEFAULT.withMetadata(meta));
        assertEquals("value-" + seed, client.stat(base + "m").orElseThrow().metadata().get("litefleet-test"));
    }

    @Test
    public void timestamp_comesBackAsCreatedAt() throws Exception {
        assume(Capability.TIMESTAMP);
        Instant created = Instant.parse("2024-05-06T07:08:09.123Z").plusMillis(Math.floorMod(seed, 100_000));
        client.put(base + "t", ObjectBody.of(bytes(seed, 10)), PutOptions.DEFAULT.withTimestamp(created));
        assertEquals(created, client.stat(base + "t").orElseThrow().createdAt());
        client.put(base + "t2", ObjectBody.of(bytes(seed, 10)), PutOptions.createOnly().withTimestamp(created));
        assertEquals(created, client.stat(base + "t2").orElseThrow().createdAt(), "conditional create too");
    }

    /**
     * A guard that fails at the commit point (in cluster mode: the session lapsed while the upload was under way,
     * as in a process resumed after SIGSTOP) fails the put as {@link ReplicaFailure#FENCED} and leaves nothing under
     * the key, for a body sent in one request and for one sent in parts, plain or conditional.
     */
    @Test
    public void put_guardFailingAtTheCommitPoint_isFencedAndLeavesNoObject() throws Exception {
        for (long size : List.of(1_000L, chunkedObjectSize())) {
            for (boolean ifAbsent : List.of(false, true)) {
                String key = base + "fenced-" + size + "-" + ifAbsent;
                AtomicBoolean lapsed = new AtomicBoolean();
                PutOptions options = new PutOptions(ifAbsent, Map.of()).withOwner("host-a", 7).withGuard(() -> {
                    if (lapsed.get()) {
                        throw new ReplicaException(ReplicaFailure.FENCED, "injected: the session lapsed during "
                                + "the upload of " + key);
                    }
                });
                ReplicaException e = assertFailure(ReplicaFailure.FENCED,
                        () -> client.put(key, new GeneratedBody(seed, size, () -> lapsed.set(true)), options));
                assertTrue(lapsed.get(), "the body was read to its end before the put failed: " + e.getMessage());
                assertTrue(client.stat(key).isEmpty(), "a fenced put left an object under " + key);
            }
        }
        assertEquals(List.of(), listed(base), "a fenced put left something listable");
    }

    /**
     * A guard that passes is consulted and the object is written whole, carrying the owner's instance and token
     * (where the backend keeps metadata), for a body sent in one request and for one sent in parts.
     */
    @Test
    public void put_withOwnerAndAPassingGuard_checksTheGuardAndKeepsTheOwner() throws Exception {
        for (long size : List.of(1_000L, chunkedObjectSize())) {
            String key = base + "owned-" + size;
            AtomicInteger checks = new AtomicInteger();
            PutOptions options = PutOptions.createOnly().withOwner("host-b", 1L << 40)
                    .withGuard(checks::incrementAndGet);
            assertEquals(size, client.put(key, new GeneratedBody(seed, size), options).size());
            assertTrue(checks.get() > 0, "the guard was never called for " + key);
            try (InputStream actual = client.get(key); InputStream expected = new GeneratedBody(seed, size).open()) {
                assertSameStream(expected, actual);
            }
            if (supports(Capability.USER_METADATA)) {
                Map<String, String> meta = client.stat(key).orElseThrow().metadata();
                assertEquals("host-b", meta.get(PutOptions.OWNER_INSTANCE), key + ": " + meta);
                assertEquals(Long.toString(1L << 40), meta.get(PutOptions.OWNER_TOKEN), key + ": " + meta);
            }
        }
    }

    // ---- helpers ----

    /** Skips the calling test, visibly, unless the backend supports {@code capability}. */
    protected final void assume(Capability capability) {
        Assumptions.assumeTrue(supports(capability),
                () -> "unsupported by " + client.type() + ": " + capability + " (" + unsupportedReason(capability) + ")");
    }

    /** Deterministic bytes. */
    protected static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** 1,100 keys under {@code base + dir}: past S3's 1,000 keys per listing page and per delete request. */
    private List<String> manyKeys(String dir) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1_100; i++) {
            keys.add(base + dir + String.format("%016x-%016x.ltx", i * 7L + 1, i * 7L + 1));
        }
        return keys;
    }

    /** Puts {@code size} bytes under each key, eight at a time. */
    private void putAll(List<String> keys, int size) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ObjectInfo>> puts = new ArrayList<>();
            for (String k : keys) {
                puts.add(pool.submit(() -> client.put(k, ObjectBody.of(bytes(seed, size)), PutOptions.DEFAULT)));
            }
            for (Future<ObjectInfo> f : puts) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writer {@code w}'s content: its own length and bytes, so any complete version can be told from a partial. */
    private byte[] writerBytes(int w) {
        return bytes(seed + w, 20_000 + 1_000 * w);
    }

    /**
     * Fails unless {@code key} holds one writer's whole content: {@code size} (or {@code content}, when given) must
     * be a writer's length (and bytes).
     */
    private void assertWhole(String key, long size, byte[] content) {
        long n = content != null ? content.length : size;
        int w = (int) ((n - 20_000) / 1_000);
        boolean whole = n >= 20_000 && (n - 20_000) % 1_000 == 0 && w < 64
                && (content == null || java.util.Arrays.equals(content, writerBytes(w)));
        assertTrue(whole, key + " was seen with " + n + " bytes" + (content == null ? "" : " of other content")
                + ": not one writer's whole object");
    }

    private List<String> keys(String... suffixes) {
        return Stream.of(suffixes).map(s -> base + s).sorted().toList();
    }

    private List<String> listed(String prefix) throws ReplicaException {
        return client.list(prefix).stream().map(ObjectInfo::key).toList();
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static byte[] slice(byte[] data, int from, int len) {
        return java.util.Arrays.copyOfRange(data, from, from + len);
    }

    private static ReplicaException assertFailure(ReplicaFailure expected, ThrowingCall call) {
        try {
            call.run();
        } catch (ReplicaException e) {
            assertEquals(expected, e.failure(), "wrong failure kind: " + e.getMessage());
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected ReplicaException(" + expected + "), got " + e, e);
        }
        return fail("expected ReplicaException(" + expected + "), but the call succeeded");
    }

    private static void assertSameStream(InputStream expected, InputStream actual) throws IOException {
        byte[] e = new byte[1 << 16];
        byte[] a = new byte[1 << 16];
        long pos = 0;
        while (true) {
            int n = expected.readNBytes(e, 0, e.length);
            int m = actual.readNBytes(a, 0, n == 0 ? 1 : n);
            if (n == 0) {
                assertEquals(0, m, "actual stream is longer than " + pos + " bytes");
                return;
            }
            assertEquals(n, m, "actual stream ended early at " + (pos + m));
            if (!java.util.Arrays.equals(e, 0, n, a, 0, n)) {
                fail("streams differ within bytes " + pos + ".." + (pos + n));
            }
            pos += n;
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    /**
     * A body of pseudo-random bytes generated on the fly, so neither side can need it in memory; {@code atEnd} runs
     * when a stream hands out its last byte.
     */
    private record GeneratedBody(long seed, long length, Runnable atEnd) implements ObjectBody {
        GeneratedBody(long seed, long length) {
            this(seed, length, () -> { });
        }

        @Override
        public InputStream open() {
            return new InputStream() {
                private final SplittableRandom random = new SplittableRandom(seed);
                private long left = length;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (left == 0) {
                        return len == 0 ? 0 : -1;
                    }
                    int n = (int) Math.min(len, left);
                    for (int i = 0; i < n; i++) {
                        b[off + i] = (byte) random.nextInt(256);
                    }
                    left -= n;
                    if (left == 0) {
                        atEnd.run();
                    }
                    return n;
                }
            };
        }
    }
}
