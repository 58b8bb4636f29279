package io.litefleet.discovery.glob;

import static io.litefleet.discovery.glob.Databases.create;
import static io.litefleet.discovery.glob.Databases.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.DiscoveryListener;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Watchable;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobWatcherTest {
    /** inotify delivers in milliseconds; the contract is "within a second". */
    private static final Duration WITHIN_A_SECOND = Duration.ofSeconds(1);
    /** For steps that create whole directory trees on a loaded two-core machine. */
    private static final Duration GENEROUS = Duration.ofSeconds(10);

    @TempDir
    Path root;

    private final Recorder recorder = new Recorder();
    private GlobDiscovery discovery;

    @AfterEach
    void closeDiscovery() {
        if (discovery != null) {
            discovery.close();
        }
    }

    private GlobDiscovery watching(WatchSupport support, String pattern) throws IOException {
        discovery = new GlobDiscovery(List.of(GlobPattern.parse(root + pattern)), dir -> { }, support);
        assertTrue(discovery.watch(recorder));
        return discovery;
    }

    private GlobDiscovery watching(String pattern) throws IOException {
        return watching(WatchSupport.DEFAULT, pattern);
    }

    @Test
    void watch_reportsANewDatabaseInAnExistingDirectoryWithinASecond() throws Exception {
        Files.createDirectories(root.resolve("data/acme/tenants"));
        watching("/data/*/tenants/*.db");
        Path db = create(root.resolve("data/acme/tenants/new.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(db)), recorder::toString);
    }

    @Test
    void watch_reportsADatabaseInANewTenantDirectory() throws Exception {
        Files.createDirectories(root.resolve("data"));
        watching("/data/*/databases/*/tenants/*.db");
        // the whole chain appears at once: each level must be registered and listed as it is noticed
        Path db = create(root.resolve("data/newproject/databases/main/tenants/t1.db"));
        assertTrue(within(GENEROUS, () -> recorder.changed.contains(db)), recorder::toString);
        // and the new leaf directory is watched from now on
        Path second = create(root.resolve("data/newproject/databases/main/tenants/t2.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(second)), recorder::toString);
    }

    @Test
    void watch_reportsAWriteToTheWalAsAChangeOfTheDatabase() throws Exception {
        Path db = create(root.resolve("data/acme/tenants/t.db"));
        Path wal = root.resolve("data/acme/tenants/t.db-wal");
        Files.write(wal, new byte[32]);
        watching("/data/*/tenants/*.db");
        Files.write(wal, new byte[32], StandardOpenOption.APPEND);
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(db)), recorder::toString);
        assertFalse(recorder.changed.contains(wal), "the -wal is reported as its database");
    }

    @Test
    void watch_reportsAChangeOfTheSharedMemoryFileAsAChangeOfTheDatabase() throws Exception {
        Path db = create(root.resolve("data/acme/tenants/t.db"));
        watching("/data/*/tenants/*.db");
        Files.write(root.resolve("data/acme/tenants/t.db-shm"), new byte[32]);
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(db)), recorder::toString);
        assertEquals(Set.of(db), Set.copyOf(recorder.changed)); // once or more: create and write may come apart
    }

    @Test
    void watch_reportsADeletedDatabase() throws Exception {
        Path db = create(root.resolve("data/acme/tenants/t.db"));
        watching("/data/*/tenants/*.db");
        Files.delete(db);
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(db)), recorder::toString);
    }

    @Test
    void watch_ignoresFilesThePatternCannotMatch() throws Exception {
        Files.createDirectories(root.resolve("data/acme/tenants"));
        watching("/data/*/tenants/*.db");
        Files.writeString(root.resolve("data/acme/tenants/notes.txt"), "x");
        Files.writeString(root.resolve("data/acme/readme.db"), "x");
        Path db = create(root.resolve("data/acme/tenants/last.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(db)), recorder::toString);
        assertEquals(Set.of(db), Set.copyOf(recorder.changed)); // once or more: create and write may come apart
    }

    @Test
    void watch_followsNewDirectoriesBelowDoubleStar() throws Exception {
        Files.createDirectories(root.resolve("data"));
        watching("/data/**/tenants/*.db");
        Path db = create(root.resolve("data/a/b/c/tenants/x.db"));
        assertTrue(within(GENEROUS, () -> recorder.changed.contains(db)), recorder::toString);
    }

    @Test
    void watch_noticesTheLiteralPrefixAppearingLater() throws Exception {
        watching("/data/tenants/*.db");
        Path db = create(root.resolve("data/tenants/x.db"));
        assertTrue(within(GENEROUS, () -> recorder.changed.contains(db)), recorder::toString);
    }

    @Test
    void watch_runsOnOneDaemonThreadNamedLitefleetWatch0_andCloseStopsIt() throws Exception {
        Path db = create(root.resolve("data/acme/tenants/t.db"));
        watching("/data/*/tenants/*.db");
        Files.write(db, Databases.HEADER, StandardOpenOption.APPEND);
        assertTrue(within(WITHIN_A_SECOND, () -> !recorder.threads.isEmpty()), recorder::toString);
        assertEquals(Set.of("litefleet-watch-0"), Set.copyOf(recorder.threads));
        assertTrue(watchThreadAlive());
        discovery.close();
        assertFalse(watchThreadAlive(), "close() waits for the thread");
        discovery.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> discovery.watch(recorder));
    }

    @Test
    void watch_twice_isRefused() throws Exception {
        Files.createDirectories(root.resolve("data"));
        watching("/data/*/tenants/*.db");
        assertThrows(IllegalStateException.class, () -> discovery.watch(recorder));
    }

    @Test
    void watch_returnsFalseWhenNoWatchServiceCanBeCreated() throws Exception {
        WatchSupport none = new WatchSupport() {
            @Override
            public WatchService newWatchService() throws IOException {
                throw new IOException("User limit of inotify instances reached or too many open files");
            }

            @Override
            public WatchKey register(Path dir, WatchService service) {
                throw new AssertionError("not reached");
            }
        };
        discovery = new GlobDiscovery(List.of(GlobPattern.parse(root + "/data/*.db")), dir -> { }, none);
        assertFalse(discovery.watch(recorder));
    }

    /**
     * The watch table fills up after three directories ("/data", the first project, its "tenants"): the listener
     * hears about it once, from the watch thread, and the directories that were registered keep reporting.
     */
    @Test
    void watch_whenWatchesRunOut_reportsOverflowOnceAndKeepsWatchingWhatIsRegistered() throws Exception {
        for (String project : List.of("a", "b", "c")) {
            Files.createDirectories(root.resolve("data/" + project + "/tenants"));
        }
        AtomicInteger registrations = new AtomicInteger();
        WatchSupport limited = new WatchSupport() {
            @Override
            public WatchService newWatchService() throws IOException {
                return WatchSupport.DEFAULT.newWatchService();
            }

            @Override
            public WatchKey register(Path dir, WatchService service) throws IOException {
                if (registrations.incrementAndGet() > 3) {
                    throw new IOException("User limit of inotify watches reached");
                }
                return WatchSupport.DEFAULT.register(dir, service);
            }
        };
        watching(limited, "/data/*/tenants/*.db");
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.overflows.size() == 1), recorder::toString);
        assertTrue(recorder.overflows.peek().contains("User limit of inotify watches reached"), recorder::toString);
        assertEquals(List.copyOf(recorder.overflows), List.copyOf(recorder.incomplete),
                "a full watch table is reported as an incomplete watch (scans stay frequent), not a passing loss");
        assertEquals(Set.of("litefleet-watch-0"), Set.copyOf(recorder.threads));

        // exactly one "tenants" directory got a watch, and it still reports
        List<Path> dbs = List.of(create(root.resolve("data/a/tenants/x.db")), create(root.resolve("data/b/tenants/x.db")),
                create(root.resolve("data/c/tenants/x.db")));
        assertTrue(within(WITHIN_A_SECOND, () -> dbs.stream().anyMatch(recorder.changed::contains)), recorder::toString);
        // "/data" is watched too: a new project is noticed, its registration fails again and is not reported again
        int before = registrations.get();
        Files.createDirectories(root.resolve("data/d/tenants"));
        assertTrue(within(GENEROUS, () -> registrations.get() > before), () -> registrations + " " + recorder);
        assertEquals(1, recorder.overflows.size(), recorder::toString);
        assertEquals(1, dbs.stream().filter(recorder.changed::contains).count(), recorder::toString);
    }

    /**
     * The JDK keeps at most 512 pending events per key and then signals OVERFLOW. Blocking the listener while
     * 1,000 files appear in one directory produces that for real; the burst is reported once.
     */
    @Test
    void watch_whenEventsOverflow_reportsOverflowOnceAndKeepsGoing() throws Exception {
        Path tenants = Files.createDirectories(root.resolve("data/acme/tenants"));
        CountDownLatch release = new CountDownLatch(1);
        Recorder blocking = new Recorder() {
            @Override
            public void changed(Path path) {
                super.changed(path);
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        discovery = new GlobDiscovery(List.of(GlobPattern.parse(root + "/data/*/tenants/*.db")), dir -> { },
                WatchSupport.DEFAULT);
        assertTrue(discovery.watch(blocking));
        create(tenants.resolve("first.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> !blocking.changed.isEmpty()), blocking::toString);
        for (int i = 0; i < 1000; i++) {
            Files.write(tenants.resolve("t" + i + ".db"), Databases.HEADER);
        }
        release.countDown();
        assertTrue(within(GENEROUS, () -> blocking.overflows.size() == 1), blocking::toString);
        Path after = create(tenants.resolve("after.db"));
        assertTrue(within(GENEROUS, () -> blocking.changed.contains(after)), blocking::toString);
        assertEquals(1, blocking.overflows.size(), blocking::toString);
    }

    /** A renamed directory keeps its inode and so its watch key: it must be known by its new name from then on. */
    @Test
    void watch_directoryRenamedInsideTheTree_isWatchedAndListedUnderItsNewName() throws Exception {
        Path staging = Files.createDirectories(root.resolve("data/staging/tenants"));
        create(staging.resolve("old.db"));
        watching("/data/*/tenants/*.db");
        Files.move(root.resolve("data/staging"), root.resolve("data/prod"));
        Path listed = root.resolve("data/prod/tenants/old.db");
        assertTrue(within(GENEROUS, () -> recorder.changed.contains(listed)), recorder::toString);
        Path written = create(root.resolve("data/prod/tenants/new.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(written)), recorder::toString);
        assertFalse(recorder.changed.contains(root.resolve("data/staging/tenants/new.db")), recorder::toString);
    }

    /** The top watched directory of a pattern has no watched parent: deleting it must not end watching there. */
    @Test
    void watch_patternRootDeletedAndRecreated_reportsADatabaseUnderTheNewOne() throws Exception {
        Path tenants = Files.createDirectories(root.resolve("data/tenants"));
        watching("/data/tenants/*.db");
        Files.delete(tenants);
        Files.createDirectories(tenants);
        Path db = create(tenants.resolve("x.db"));
        assertTrue(within(GENEROUS, () -> recorder.changed.contains(db)), recorder::toString);
        // and the re-created directory is watched from now on
        Path second = create(tenants.resolve("y.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.changed.contains(second)), recorder::toString);
    }

    /** Under sustained load the queue never drains: the overflow is reported anyway, once per burst. */
    @Test
    void watch_overflowUnderSustainedLoad_isReportedWithoutWaitingForTheQueueToDrain() throws Exception {
        Files.createDirectories(root.resolve("data"));
        AtomicInteger batches = new AtomicInteger();
        WatchKey overflowing = new FakeKey(batches);
        WatchSupport busy = new WatchSupport() {
            @Override
            public WatchService newWatchService() {
                return new EndlessWatchService(overflowing);
            }

            @Override
            public WatchKey register(Path dir, WatchService service) {
                return overflowing;
            }
        };
        watching(busy, "/data/*.db");
        assertTrue(within(WITHIN_A_SECOND, () -> recorder.overflows.size() == 1), recorder::toString);
        int seen = batches.get();
        assertTrue(within(GENEROUS, () -> batches.get() > seen + 1000), batches::toString);
        assertEquals(1, recorder.overflows.size(), "one report for one burst: " + recorder);
        assertTrue(recorder.incomplete.isEmpty(), recorder::toString);
    }

    /** An Error on the watch thread ends it; the listener must hear so, or the watch would look healthy forever. */
    @Test
    void watch_threadDyingOfAnError_reportsAnIncompleteWatch() throws Exception {
        Files.createDirectories(root.resolve("data"));
        Recorder failing = new Recorder() {
            @Override
            public void changed(Path path) {
                throw new StackOverflowError("listener blew its stack");
            }
        };
        discovery = new GlobDiscovery(List.of(GlobPattern.parse(root + "/data/*.db")), dir -> { },
                WatchSupport.DEFAULT);
        assertTrue(discovery.watch(failing));
        create(root.resolve("data/x.db"));
        assertTrue(within(WITHIN_A_SECOND, () -> !failing.incomplete.isEmpty()), failing::toString);
        assertTrue(failing.incomplete.peek().contains("listener blew its stack"), failing::toString);
        assertTrue(within(WITHIN_A_SECOND, () -> !watchThreadAlive()), "the thread ended");
    }

    /** A key that always has one OVERFLOW event; counts the batches taken. */
    private record FakeKey(AtomicInteger batches) implements WatchKey {
        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public List<WatchEvent<?>> pollEvents() {
            batches.incrementAndGet();
            return List.of(new WatchEvent<Object>() {
                @Override
                public WatchEvent.Kind<Object> kind() {
                    return StandardWatchEventKinds.OVERFLOW;
                }

                @Override
                public int count() {
                    return 1;
                }

                @Override
                public Object context() {
                    return null;
                }
            });
        }

        @Override
        public boolean reset() {
            return true;
        }

        @Override
        public void cancel() {
        }

        @Override
        public Watchable watchable() {
            return null;
        }
    }

    /** A watch service whose queue never drains: every poll returns the key again. */
    private static final class EndlessWatchService implements WatchService {
        private final WatchKey key;
        private volatile boolean closed;

        EndlessWatchService(WatchKey key) {
            this.key = key;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public WatchKey poll() {
            if (closed) {
                throw new ClosedWatchServiceException();
            }
            return key;
        }

        @Override
        public WatchKey poll(long timeout, TimeUnit unit) {
            return poll();
        }

        @Override
        public WatchKey take() {
            return poll();
        }
    }

    private static boolean watchThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("litefleet-watch-0") && t.isAlive());
    }

    /** Records what the watch thread reports, and on which thread. */
    static class Recorder implements DiscoveryListener {
        final Queue<Path> changed = new ConcurrentLinkedQueue<>();
        final Queue<String> overflows = new ConcurrentLinkedQueue<>();
        /** Reports of a watch that misses directories for good (also in {@link #overflows}). */
        final Queue<String> incomplete = new ConcurrentLinkedQueue<>();
        final Queue<String> threads = new ConcurrentLinkedQueue<>();

        @Override
        public void changed(Path path) {
            threads.add(Thread.currentThread().getName());
            changed.add(path);
        }

        @Override
        public void overflowed(String reason) {
            threads.add(Thread.currentThread().getName());
            overflows.add(reason);
        }

        @Override
        public void incomplete(String reason) {
            incomplete.add(reason);
            overflowed(reason);
        }

        @Override
        public String toString() {
            return "changed=" + changed + " overflows=" + overflows + " incomplete=" + incomplete;
        }
    }
}
