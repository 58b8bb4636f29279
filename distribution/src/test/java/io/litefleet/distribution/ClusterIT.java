package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.server.Etcd;
import io.litefleet.testkit.server.FaultProxy;
import io.litefleet.testkit.server.ServerExtension;
import io.litefleet.testkit.server.VersityGwExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode end to end (issue 14): several {@code bin/litefleet replicate} processes (the shipped image, each with
 * its own state directory and {@code cluster: {type: etcd}} section, lease TTL 3 s) replicating one shared data
 * directory (a fleet of 12 databases, standing in for a shared volume) to one versitygw, coordinated by one real etcd
 * on loopback. Each instance talks to the store through its own {@link FaultProxy}, so every request is attributed
 * to the instance that sent it. Ownership is read from etcd's JSON gateway ({@code /v3/kv/range}); the writer of an
 * LTX file from its header's node id (the fencing token, bytes 72-79), read from versitygw's posix directory. Every
 * test ends with both restores (ours and stock litestream v0.5.16) equal to the sources.
 */
class ClusterIT {
    private static final String BUCKET = "cluster";
    private static final int TTL_SECONDS = 3;
    private static final int DBS = 12;
    /** Lease expiry (TTL) plus a claim and the scheduling noise of 2 shared cores. */
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(TTL_SECONDS + 5);
    private static final String FENCED_LINE = "every upload and delete stops (fenced)";

    @RegisterExtension
    static final ServerExtension<Etcd> ETCD = ServerExtension.etcd(1);
    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @TempDir
    Path dir;

    private String run;
    private Etcd etcd;
    private FleetWorkload fleet;
    private final Random rnd = new Random();
    private final List<Instance> instances = new ArrayList<>();
    /** When the last {@link #writeAll} began (wall clock, as the store's file times). */
    private long lastWrite;

    /** One launcher process, its log, and the proxy through which it reaches the store. */
    private record Instance(String id, Process process, Path log, FaultProxy store, LogTail status) {
        long pid() {
            return process.pid();
        }

        String text() throws IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }
    }

    /** Where an etcd ownership key points: the owner's instance id and the key's create revision (the token). */
    private record Owner(String instance, long token) {
    }

    /** The class's etcd unless a test starts its own. */
    @BeforeEach
    void useClassEtcd() {
        etcd = ETCD.get();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Instance i : instances) {
            signal(i, "CONT");
            Image.stop(i.process(), Duration.ZERO);
            i.store().close();
        }
    }

    /**
     * (a) Three instances (half the fleet appears while they run, so that ownership spreads over them; the spread
     * is printed, not asserted: it is a race): each database gets exactly one owner, its replica receives requests
     * from that owner only, and every LTX file carries the owner's token (header node id) and its instance id and
     * token in object metadata. (b) {@code kill -9} of the owner of most databases: its databases are claimed by the
     * others within TTL + 5 s with higher tokens, the new owners continue the replicas, and every replica
     * restores equal to its source.
     */
    @Test
    void steadyState_oneOwnerPerDatabase_thenKill9_takenOverWithinTtl() throws Exception {
        fleet = FleetWorkload.create(dir.resolve("data"), 2, 1, DBS / 2, rnd);
        run = "steadystate";
        // Half the fleet appears while all three run, so that its databases are claimed in a race between them.
        Path later = dir.resolve("data/p1");
        Path aside = dir.resolve("p1-aside");
        Files.move(later, aside);
        for (String id : List.of("a", "b", "c")) {
            start(id);
        }
        Await.until(Duration.ofSeconds(60), () -> "the first half owned: " + owners(),
                () -> owners().size() == DBS / 2);
        Files.move(aside, later);
        Map<Path, Owner> owners = awaitAllOwned(Duration.ofSeconds(60), null);
        writeAll();
        awaitReplicatedBy(owners, Duration.ofSeconds(60));
        assertOneWriterPerReplica(owners);
        System.out.println("steady state owners: " + countByInstance(owners));

        Instance victim = mostOwning(owners);
        Map<Path, Owner> before = owners;
        long killed = System.nanoTime();
        signal(victim, "KILL");
        assertTrue(victim.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "kill -9 ended it");
        Map<Path, Owner> after = awaitAllOwned(TAKEOVER_BOUND, victim.id());
        double seconds = (System.nanoTime() - killed) / 1e9;
        System.out.printf("kill -9 of %s (owner of %d): all taken over in %.2f s (TTL %d s)%n", victim.id(),
                countByInstance(before).get(victim.id()), seconds, TTL_SECONDS);
        for (Map.Entry<Path, Owner> e : after.entrySet()) {
            if (before.get(e.getKey()).instance().equals(victim.id())) {
                assertTrue(e.getValue().token() > before.get(e.getKey()).token(), "a takeover has a higher token: "
                        + e);
            }
        }
        writeAll();
        awaitReplicatedBy(after, Duration.ofSeconds(60));
        System.out.println("takeovers: " + takeovers(before, after));
        stopSurvivorsAndRestore();
    }

    /**
     * (e) A database moved (renamed, with its {@code -wal}, no connection open) from instance a's data directory to
     * instance b's: a sees it gone and releases it, b claims it and continues its replica. The replica keeps the state
     * before the move restorable by TXID ({@code -txid}, both tools), the TXIDs after it follow without a gap, and
     * the latest state restores equal to the source.
     */
    @Test
    void databaseMovedBetweenInstances_handedOverWithoutGap(TestInfo info) throws Exception {
        setUp(info, "data-a");
        Path dataB = Files.createDirectories(dir.resolve("data-b"));
        start("a");
        Map<Path, Owner> owners = awaitAllOwned(Duration.ofSeconds(60), null);
        writeAll();
        awaitReplicatedBy(owners, Duration.ofSeconds(60));
        start("b", dataB.toString() + "/*/databases/*/branches/*/tenants/*.db");
        Path moved = fleet.databases().getFirst();
        String hashBefore = io.litefleet.testkit.DbContent.hash(moved);
        String url = S3.gw().url(BUCKET, run + "/" + fleet.replicaPath(moved));
        Path probe = dir.resolve("probe.db");
        Await.until(Duration.ofSeconds(60), "a shipped the moved database's last write", () -> {
            try {
                return Image.litefleet(dir, S3.gw().childEnvironment(), "restore", "-force", "-o", probe.toString(),
                        url).exitCode() == 0 && hashBefore.equals(io.litefleet.testkit.DbContent.hash(probe));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long txidBefore = files(moved).values().stream().mapToLong(Ltx::maxTxid).max().orElseThrow();

        Path target = dataB.resolve(fleet.root().relativize(moved));
        Files.createDirectories(target.getParent());
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path from = moved.resolveSibling(moved.getFileName() + suffix);
            if (Files.exists(from)) {
                Files.move(from, target.resolveSibling(target.getFileName() + suffix),
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
        long movedAt = System.nanoTime();
        AtomicReference<Map<Path, Owner>> now = new AtomicReference<>(Map.of());
        Await.until(Duration.ofSeconds(30), () -> "b owns the moved database: " + now.get() + "\n" + tail(instances
                .getLast()) + "\n" + tail(instances.getFirst()), () -> {
                    now.set(owners());
                    Owner o = now.get().get(moved);
                    return o != null && o.instance().equals("b");
                });
        System.out.printf("moved database handed over to b in %.2f s%n", (System.nanoTime() - movedAt) / 1e9);
        long token = now.get().get(moved).token();
        for (int i = 0; i < 3; i++) {
            FleetWorkload.write(target, rnd);
        }
        long written = System.currentTimeMillis();
        Await.until(Duration.ofSeconds(60), () -> "b uploaded the moved database: " + files(moved), () -> files(moved)
                .values().stream().anyMatch(l -> l.token() == token && l.modified() >= written));
        for (Instance i : instances) {
            assertEquals(0, Image.stop(i.process(), Duration.ofSeconds(60)), i.id() + " exits 0:\n" + tail(i));
        }
        List<Ltx> chain = files(moved).entrySet().stream().filter(e -> e.getKey().startsWith("0000/"))
                .map(Map.Entry::getValue).sorted(java.util.Comparator.comparingLong(Ltx::minTxid)).toList();
        System.out.println("moved database's level-0 files: " + chain);
        for (int i = 1; i < chain.size(); i++) {
            assertEquals(chain.get(i - 1).maxTxid() + 1, chain.get(i).minTxid(), "no TXID gap: " + chain);
        }
        assertTrue(chain.stream().anyMatch(l -> l.token() == token && l.minTxid() > txidBefore),
                "b continued after a's last TXID " + txidBefore + ": " + chain);
        String txid = String.format("%016x", txidBefore);
        Path ours = dir.resolve("before-ours.db");
        Path stock = dir.resolve("before-stock.db");
        Image.Result r1 = Image.litefleet(dir, S3.gw().childEnvironment(), "restore", "-txid", txid, "-o",
                ours.toString(), url);
        Image.Result r2 = Image.run(dir, Duration.ofMinutes(1), S3.gw().childEnvironment(),
                io.litefleet.testkit.PeerTools.litestream().toString(), "restore", "-txid", txid, "-o",
                stock.toString(), url);
        assertRestoredAt(r1, ours, hashBefore, "litefleet restore -txid " + txid);
        assertRestoredAt(r2, stock, hashBefore, "litestream restore -txid " + txid);
        Map<Path, String> replicas = new LinkedHashMap<>();
        for (Path db : fleet.databases()) {
            Path source = db.equals(moved) ? target : db;
            replicas.put(source, S3.gw().url(BUCKET, run + "/" + fleet.replicaPath(db)));
        }
        RestoreCheck.assertRestoresEqual(dir, S3.gw().childEnvironment(), replicas);
    }

    private static void assertRestoredAt(Image.Result r, Path out, String hash, String what) throws Exception {
        assertEquals(0, r.exitCode(), what + ": " + r.output());
        assertEquals(hash, io.litefleet.testkit.DbContent.hash(out), what);
        assertEquals("ok", io.litefleet.testkit.DbContent.integrityCheck(out), what);
    }

    /** For each database that changed owner: how the new owner's first file follows the old owner's last. */
    private String takeovers(Map<Path, Owner> before, Map<Path, Owner> after) {
        List<String> out = new ArrayList<>();
        for (Path db : fleet.databases()) {
            if (before.get(db).instance().equals(after.get(db).instance())) {
                continue;
            }
            Map<String, Ltx> f = files(db);
            long oldMax = f.values().stream().filter(l -> l.token() == before.get(db).token())
                    .mapToLong(Ltx::maxTxid).max().orElse(-1);
            List<String> mine = f.entrySet().stream().filter(e -> e.getValue().token() == after.get(db).token())
                    .map(Map.Entry::getKey).toList();
            out.add(fleet.replicaPath(db) + ": old owner up to TXID " + oldMax + ", new owner's files " + mine);
        }
        return String.join("; ", out);
    }

    /**
     * (c) The owner of some databases is paused (SIGSTOP) until the other has taken them over and uploaded for each
     * of them; meanwhile they are written. After SIGCONT the resumed process sends no PUT or DELETE at all (every
     * request it makes reaches its own proxy) while the databases keep being written and replicated by the new
     * owner, and its log says it fenced itself.
     */
    @Test
    void pausedOwner_uploadsNothingWithItsOldTokenAfterResume(TestInfo info) throws Exception {
        setUp(info);
        Instance a = start("a");
        Instance b = start("b");
        Map<Path, Owner> owners = awaitAllOwned(Duration.ofSeconds(60), null);
        writeAll();
        awaitReplicatedBy(owners, Duration.ofSeconds(60));
        Instance paused = countByInstance(owners).getOrDefault("a", 0) > 0 ? a : b;
        // Paused only once its databases are cold (no connection open): a process stopped inside a checkpoint
        // holds SQLite's locks in the shared -shm, and on one host that would block the application's writes too.
        Await.until(Duration.ofSeconds(30), () -> "the owner's databases cold: " + paused.status().status(), () -> {
            Map<String, String> st = paused.status().status();
            return "0".equals(st.get("hot")) && "0".equals(st.get("running")) && "0".equals(st.get("backlog"));
        });
        signal(paused, "STOP");
        writeAll();
        Map<Path, Owner> after = awaitAllOwned(TAKEOVER_BOUND.plusSeconds(5), paused.id());
        awaitReplicatedBy(after, Duration.ofSeconds(60)); // the new owner's first uploads, its token in the header
        int sentBeforeResume = paused.store().requests().size();
        signal(paused, "CONT");
        for (int round = 0; round < 3; round++) {
            writeAll();
            awaitReplicatedBy(after, Duration.ofSeconds(30));
        }
        // One more TTL in which the resumed process could still act on what it had before the pause.
        Await.holds(Duration.ofSeconds(TTL_SECONDS), () -> writes(paused, sentBeforeResume) > 0);
        List<FaultProxy.Request> late = paused.store().requests().subList(sentBeforeResume,
                paused.store().requests().size());
        assertEquals(0, writes(paused, sentBeforeResume), "the resumed stale owner wrote: " + late);
        assertTrue(paused.text().contains("fenced") || paused.text().contains("is gone"),
                "the resumed instance says it lost its session:\n" + paused.text());
        System.out.println("resumed stale owner sent " + late.size() + " request(s), none a write: " + late);
        for (Path db : fleet.databases()) {
            Owner old = owners.get(db);
            Owner now = after.get(db);
            if (!old.instance().equals(paused.id())) {
                continue;
            }
            Map<String, Ltx> f = files(db);
            long firstNew = f.values().stream().filter(l -> l.token() == now.token()).mapToLong(Ltx::modified).min()
                    .orElseThrow(() -> new AssertionError(db + ": the new owner uploaded nothing: " + f));
            f.forEach((name, l) -> assertFalse(l.token() == old.token() && l.modified() > firstNew, db + ": " + name
                    + " stored with the old token " + old.token() + " after the new owner's first upload"));
        }
        assertTokensNeverDecrease();
        stopSurvivorsAndRestore();
    }

    /**
     * (d) etcd (one member) stopped, then started again on its data directory: see {@link #unavailable}.
     */
    @Test
    void etcdDown_everyInstanceStopsWithinTtl_andResumes(TestInfo info) throws Exception {
        setUp(info);
        unavailable("etcd down", List.of(0));
    }

    /**
     * The same with a 3-member etcd (its own, for this test) losing its quorum: two members stopped, the third still
     * running without a leader. Every instance fences itself within the TTL, sends no write while the quorum is lost,
     * and resumes once the two members are back.
     */
    @Test
    void etcdQuorumLost_everyInstanceStopsWithinTtl_andResumes(TestInfo info) throws Exception {
        setUp(info);
        try (Etcd three = Etcd.cluster(dir.resolve("etcd3"), 3)) {
            etcd = three;
            unavailable("quorum lost", List.of(1, 2));
        }
    }

    /**
     * Two instances replicate; then the etcd {@code members} are stopped (SIGTERM to the PIDs testkit started): each
     * instance logs that it fenced itself within TTL + 1 s, and while they are down no instance sends a write although
     * every database is written; after they are started again on their data directories replication resumes by
     * itself, and both restores of every database equal its source.
     */
    private void unavailable(String what, List<Integer> members) throws Exception {
        start("a");
        start("b");
        Map<Path, Owner> owners = awaitAllOwned(Duration.ofSeconds(60), null);
        writeAll();
        awaitReplicatedBy(owners, Duration.ofSeconds(60));

        long down = System.nanoTime();
        members.forEach(etcd::stop);
        for (Instance i : instances) {
            Await.until(Duration.ofSeconds(TTL_SECONDS + 1), () -> i.id() + " fenced itself:\n" + tail(i),
                    () -> logOf(i).contains(FENCED_LINE));
        }
        System.out.printf("%s: every instance fenced within %.2f s (TTL %d s)%n", what,
                (System.nanoTime() - down) / 1e9, TTL_SECONDS);
        Map<Instance, Integer> marks = new HashMap<>();
        instances.forEach(i -> marks.put(i, i.store().requests().size()));
        writeAll();
        boolean wrote = Await.holds(Duration.ofSeconds(2L * TTL_SECONDS),
                () -> instances.stream().anyMatch(i -> writes(i, marks.get(i)) > 0));
        assertFalse(wrote, what + ": a write meanwhile: " + instances.stream()
                .map(i -> i.id() + " " + i.store().requests().subList(marks.get(i), i.store().requests().size()))
                .toList());

        for (int m : members) {
            etcd.restart(m);
        }
        for (int m = 0; m < etcd.members().size(); m++) {
            etcd.awaitHealthy(m);
        }
        Map<Path, Owner> again = awaitAllOwned(Duration.ofSeconds(60), null);
        awaitReplicatedBy(again, Duration.ofSeconds(60));
        assertTrue(instances.stream().allMatch(i -> writes(i, marks.get(i)) > 0 || !owns(again, i)),
                "every owner resumed uploading");
        stopSurvivorsAndRestore();
    }

    // ---- fixture ----

    private void setUp(TestInfo info) throws Exception {
        setUp(info, "data");
    }

    private void setUp(TestInfo info, String data) throws Exception {
        run = info.getTestMethod().orElseThrow().getName().replaceAll("_.*", "").toLowerCase();
        fleet = FleetWorkload.create(dir.resolve(data), 1, 1, DBS, rnd);
    }

    private Instance start(String id) throws Exception {
        return start(id, fleet.pattern());
    }

    private Instance start(String id, String pattern) throws Exception {
        FaultProxy store = FaultProxy.open(S3.gw().endpoint(), Duration.ofMinutes(10));
        Path yml = Files.writeString(dir.resolve(id + ".yml"), """
                multi-db:
                  enabled: true
                  patterns:
                    - "%s"
                  scan-interval: 2s
                  hot-idle-timeout: 2s
                  replica-template:
                    type: s3
                    bucket: %s
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    region: us-east-1
                    endpoint: %s
                    sync-interval: 500ms
                state-dir: %s
                cluster:
                  type: etcd
                  endpoints: ["%s"]
                  instance-id: %s
                  lease-ttl: %ds
                  prefix: /%s/
                """.formatted(pattern, BUCKET, run, store.endpoint(), dir.resolve("state-" + id),
                String.join("\", \"", etcd.endpoints()), id, TTL_SECONDS, run));
        Path log = dir.resolve(id + ".log");
        Process p = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config", yml.toString(),
                "--status-interval", "1s"),
                S3.gw().childEnvironment(), log).start();
        Instance i = new Instance(id, p, log, store, new LogTail(log));
        instances.add(i);
        return i;
    }

    private void writeAll() throws Exception {
        lastWrite = System.currentTimeMillis();
        for (Path db : fleet.databases()) {
            FleetWorkload.write(db, rnd);
        }
    }

    /**
     * Waits until every database has an owner in etcd that is not {@code notBy}; returns the owners. Fails when a
     * key names something else than a database of the fleet.
     */
    private Map<Path, Owner> awaitAllOwned(Duration within, String notBy) throws Exception {
        AtomicReference<Map<Path, Owner>> last = new AtomicReference<>(Map.of());
        Await.until(within, () -> "every database owned" + (notBy == null ? "" : " by others than " + notBy)
                + ": " + last.get() + "\n" + instances.stream().map(this::tail).toList(), () -> {
                    last.set(owners());
                    return last.get().size() == DBS && last.get().values().stream()
                            .noneMatch(o -> o.instance().equals(notBy));
                });
        return last.get();
    }

    private static final Pattern KV = Pattern.compile(
            "\\{\"key\":\"([^\"]+)\",\"create_revision\":\"(\\d+)\"[^}]*?\"value\":\"([^\"]+)\"");
    private static final Pattern INSTANCE = Pattern.compile("\"instance\":\"([^\"]+)\"");

    /** The ownership keys under this test's prefix, by database. */
    private Map<Path, Owner> owners() {
        String prefix = "/" + run + "/db/";
        String end = prefix.substring(0, prefix.length() - 1) + (char) ('/' + 1);
        String body = "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(end) + "\"}";
        String answer;
        try {
            answer = HTTP.send(HttpRequest.newBuilder(URI.create(etcd.endpoints().getFirst() + "/v3/kv/range"))
                    .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        Map<Path, Owner> out = new LinkedHashMap<>();
        Matcher m = KV.matcher(answer);
        while (m.find()) {
            String key = unb64(m.group(1));
            Matcher inst = INSTANCE.matcher(unb64(m.group(3)));
            assertTrue(inst.find(), "an ownership value names its instance: " + unb64(m.group(3)));
            Path db = fleet.databases().stream().filter(d -> key.endsWith("/" + run + "/" + fleet.replicaPath(d)))
                    .findFirst().orElseThrow(() -> new AssertionError("a key for no database: " + key));
            assertEquals(null, out.put(db, new Owner(inst.group(1), Long.parseLong(m.group(2)))), "one key per db");
        }
        return out;
    }

    /** Waits until each database's replica holds an LTX file with its owner's token covering its current state. */
    private void awaitReplicatedBy(Map<Path, Owner> owners, Duration within) throws Exception {
        Await.until(within, () -> "each replica has a file of its owner after the last write: " + owners + "\n"
                + instances.stream().map(this::tail).toList(), () -> fleet.databases().stream().allMatch(db -> {
                    long token = owners.get(db).token();
                    return files(db).values().stream().anyMatch(h -> h.token == token
                            && h.modified >= lastWrite);
                }));
    }

    /** An LTX file of a replica: TXID range, the token in its header, the store's modification time. */
    private record Ltx(long minTxid, long maxTxid, long token, long modified, String metadata) {
    }

    /** The object metadata versitygw keeps for {@code f} (JSON, in the {@code user.metadata} xattr); "" if none. */
    private static String metadata(Path f) {
        try {
            var view = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
            ByteBuffer b = ByteBuffer.allocate(view.size("metadata"));
            view.read("metadata", b);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Every LTX file under {@code db}'s replica in versitygw's directory, by path. */
    private Map<String, Ltx> files(Path db) {
        Path root = S3.gw().bucketDir(BUCKET).resolve(run + "/" + fleet.replicaPath(db));
        Map<String, Ltx> out = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path f : all.filter(p -> p.toString().endsWith(".ltx")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    byte[] h = in.readNBytes(100);
                    if (h.length < 80) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.wrap(h);
                    out.put(root.relativize(f).toString(), new Ltx(b.getLong(16), b.getLong(24), b.getLong(72),
                            Files.getLastModifiedTime(f).toMillis(), metadata(f)));
                } catch (IOException e) {
                    // being written or replaced: seen at the next poll
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return out;
        }
        return out;
    }

    /** (a): requests for each replica came through its owner's proxy only, and every file has the owner's token. */
    private void assertOneWriterPerReplica(Map<Path, Owner> owners) {
        for (Path db : fleet.databases()) {
            String path = "/" + BUCKET + "/" + run + "/" + fleet.replicaPath(db) + "/";
            Owner o = owners.get(db);
            for (Instance i : instances) {
                long puts = i.store().count("PUT", path);
                if (i.id().equals(o.instance())) {
                    assertTrue(puts > 0, i.id() + " owns " + db + " and uploaded for it");
                } else {
                    assertEquals(0, puts, i.id() + " does not own " + db + " (" + o + ") but uploaded for it");
                }
            }
            files(db).forEach((name, ltx) -> {
                assertEquals(o.token(), ltx.token(), db + ": " + name + " carries its owner's token (LTX node id)");
                assertTrue(ltx.metadata().contains("\"litefleet-instance\":\"" + o.instance() + "\"")
                        && ltx.metadata().contains("\"litefleet-fence\":\"" + o.token() + "\""),
                        db + ": " + name + " has its owner's instance and token in its metadata: " + ltx.metadata());
            });
        }
    }

    /** Along each replica's level-0 chain, tokens never decrease as TXIDs grow. */
    private void assertTokensNeverDecrease() {
        for (Path db : fleet.databases()) {
            long last = 0;
            for (Ltx l : files(db).entrySet().stream().filter(e -> e.getKey().startsWith("0000/"))
                    .map(Map.Entry::getValue).sorted(java.util.Comparator.comparingLong(Ltx::minTxid)).toList()) {
                assertTrue(l.token() >= last, db + ": token " + l.token() + " after " + last + " at " + l);
                last = l.token();
            }
        }
    }

    /** PUTs, POSTs and DELETEs {@code i} sent after its {@code from}-th request. */
    private static long writes(Instance i, int from) {
        List<FaultProxy.Request> all = i.store().requests();
        return all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(r -> !r.method().equals("GET") && !r.method().equals("HEAD")).count();
    }

    private static boolean owns(Map<Path, Owner> owners, Instance i) {
        return owners.values().stream().anyMatch(o -> o.instance().equals(i.id()));
    }

    /** SIGTERM to every live instance (each exits 0 after its final syncs), then both restores of every database. */
    private void stopSurvivorsAndRestore() throws Exception {
        for (Instance i : instances) {
            if (i.process().isAlive()) {
                assertEquals(0, Image.stop(i.process(), Duration.ofSeconds(60)), i.id() + " exits 0:\n" + tail(i));
            }
        }
        Map<Path, String> replicas = new LinkedHashMap<>();
        for (Path db : fleet.databases()) {
            replicas.put(db, S3.gw().url(BUCKET, run + "/" + fleet.replicaPath(db)));
        }
        RestoreCheck.assertRestoresEqual(dir, S3.gw().childEnvironment(), replicas);
    }

    private Instance mostOwning(Map<Path, Owner> owners) {
        Map<String, Integer> n = countByInstance(owners);
        return instances.stream().max(java.util.Comparator.comparingInt(i -> n.getOrDefault(i.id(), 0)))
                .orElseThrow();
    }

    private static Map<String, Integer> countByInstance(Map<Path, Owner> owners) {
        Map<String, Integer> n = new TreeMap<>();
        owners.values().forEach(o -> n.merge(o.instance(), 1, Integer::sum));
        return n;
    }

    private static void signal(Instance i, String signal) throws Exception {
        if (!i.process().isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(i.pid())).redirectErrorStream(true)
                .start();
        assertTrue(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && kill.exitValue() == 0,
                "kill -" + signal + " " + i.pid());
    }

    private String logOf(Instance i) {
        try {
            return i.text();
        } catch (IOException e) {
            return "";
        }
    }

    private String tail(Instance i) {
        String l = logOf(i);
        return i.id() + ": ..." + l.substring(Math.max(0, l.length() - 3000));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
