package io.litefleet.cluster.etcd;

import io.litefleet.api.Settings;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared by the etcd ITs: opening coordinators on given endpoints, and a listener that records what it hears. */
final class EtcdFixtures {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private EtcdFixtures() {
    }

    /** Opens a coordinator for {@code instance} on {@code endpoints} with {@code ttl} (seconds) and extra keys. */
    static EtcdCoordinator open(String instance, List<String> endpoints, long ttl, String prefix,
                                Map<String, Object> extra) throws CoordinationException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("endpoints", endpoints);
        values.put("lease-ttl", ttl + "s");
        values.put("prefix", prefix);
        values.putAll(extra);
        return (EtcdCoordinator) new EtcdCoordinatorProvider().open(Settings.of("test", values),
                new CoordinatorProvider.Context(instance, System::nanoTime, r -> Thread.ofPlatform().daemon()
                        .name("litefleet-cluster-" + instance + "-" + THREADS.incrementAndGet()).unstarted(r)));
    }

    /** {@code count} locations {@code <name>-00000..}. */
    static List<Ownable> ownables(String name, int count) {
        List<Ownable> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Ownable(String.format("s3://bucket/%s-%05d", name, i), "/data/" + name + "-" + i + ".db"));
        }
        return out;
    }

    /** Records every event. */
    static final class Recorder implements OwnershipListener {
        final Set<String> released = ConcurrentHashMap.newKeySet();
        final List<Session> lost = new CopyOnWriteArrayList<>();
        final List<Session> restored = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger missed = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void released(String location) {
            released.add(location);
        }

        @Override
        public void releasesMissed() {
            missed.incrementAndGet();
        }

        @Override
        public void sessionLost(Session session) {
            lost.add(session);
        }

        @Override
        public void sessionRestored(Session session) {
            restored.add(session);
        }
    }
}
