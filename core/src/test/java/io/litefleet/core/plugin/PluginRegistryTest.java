package io.litefleet.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.api.tier.TieringPolicyProvider;
import io.litefleet.core.file.FileReplicaClientProvider;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

    /** A replica provider with a chosen type and schemes. */
    record FakeReplica(String type, Set<String> schemes) implements ReplicaClientProvider {
        @Override
        public Set<String> keys() {
            return Set.of("path");
        }

        @Override
        public ReplicaLayout layout() {
            return ReplicaLayout.HEX_LEVEL_DIRS;
        }

        @Override
        public UrlTarget parseUrl(URI url) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ReplicaClient create(Settings settings) {
            throw new UnsupportedOperationException();
        }
    }

    static final class OtherReplica implements ReplicaClientProvider {
        @Override
        public String type() {
            return "s3";
        }

        @Override
        public Set<String> schemes() {
            return Set.of("s3x");
        }

        @Override
        public Set<String> keys() {
            return Set.of("path");
        }

        @Override
        public ReplicaLayout layout() {
            return ReplicaLayout.HEX_LEVEL_DIRS;
        }

        @Override
        public UrlTarget parseUrl(URI url) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ReplicaClient create(Settings settings) {
            throw new UnsupportedOperationException();
        }
    }

    record FakePolicy(String type) implements TieringPolicyProvider {
        @Override
        public TieringPolicy create(Settings settings) {
            return sample -> TierDecision.STAY;
        }
    }

    private static PluginSource.Loaded source(Candidate... candidates) {
        return new PluginSource.Loaded(List.of(candidates), List.of(), List.of());
    }

    private static Candidate replica(ReplicaClientProvider p, String origin) {
        return Candidate.of(PluginKind.REPLICA, p, origin);
    }

    @Test
    void duplicateType_isRejectedNamingBothClassesAndOrigins() {
        PluginSource.Loaded boot = source(replica(new FakeReplica("s3", Set.of("s3")), "module a (boot layer)"));
        PluginSource.Loaded dir = source(replica(new OtherReplica(), "/opt/lf/plugins/s3/x.jar (class loader)"));
        ConfigException e = assertThrows(ConfigException.class, () -> PluginRegistry.of(List.of(boot, dir)));
        assertEquals("duplicate replica type 's3': provided by " + FakeReplica.class.getName()
                + " from module a (boot layer) and by " + OtherReplica.class.getName()
                + " from /opt/lf/plugins/s3/x.jar (class loader); remove one of them", e.getMessage());
    }

    @Test
    void duplicateScheme_isRejectedNamingBothProviders() {
        ConfigException e = assertThrows(ConfigException.class, () -> PluginRegistry.of(List.of(source(
                replica(new FakeReplica("s3", Set.of("s3")), "one"),
                replica(new FakeReplica("minio", Set.of("s3")), "two")))));
        assertTrue(e.getMessage().startsWith("duplicate replica URL scheme 's3'"), e.getMessage());
        assertTrue(e.getMessage().contains("from one") && e.getMessage().contains("from two"), e.getMessage());
    }

    @Test
    void sameTypeInDifferentKinds_isAllowed() {
        PluginRegistry r = PluginRegistry.of(List.of(source(replica(new FakeReplica("default", Set.of()), "a"),
                Candidate.of(PluginKind.TIERING, new FakePolicy("default"), "b"))));
        assertEquals(List.of("default"), r.types(PluginKind.REPLICA));
        assertEquals(List.of("default"), r.types(PluginKind.TIERING));
    }

    @Test
    void badKey_isRejectedNamingTheProvider() {
        ConfigException e = assertThrows(ConfigException.class, () -> PluginRegistry.of(List.of(source(
                replica(new FakeReplica("S3", Set.of("s3")), "somewhere")))));
        assertTrue(e.getMessage().contains("reports type 'S3'") && e.getMessage().contains("from somewhere"),
                e.getMessage());
    }

    @Test
    void unknownType_namesTheOriginAndTheKnownTypes() {
        PluginRegistry r = PluginRegistry.of(List.of(source(replica(new FakeReplica("s3", Set.of("s3")), "a"),
                replica(new FakeReplica("file", Set.of("file")), "b"))));
        ConfigException e = assertThrows(ConfigException.class, () -> r.replica("foo", "litefleet.yml: dbs[0].replica"));
        assertEquals("unknown replica type 'foo' in litefleet.yml: dbs[0].replica (known: file, s3)", e.getMessage());
        ConfigException scheme = assertThrows(ConfigException.class, () -> r.replicaForScheme("gs", "URL gs://b/p"));
        assertEquals("unknown replica URL scheme 'gs' in URL gs://b/p (known: file, s3)", scheme.getMessage());
        ConfigException none = assertThrows(ConfigException.class, () -> r.discovery("glob", "cfg"));
        assertEquals("unknown discovery type 'glob' in cfg (known: none)", none.getMessage());
        for (String upstreamOnly : List.of("oss", "webdav", "nats")) {
            ConfigException hinted = assertThrows(ConfigException.class, () -> r.replica(upstreamOnly, "cfg"));
            assertTrue(hinted.getMessage().startsWith("unknown replica type '" + upstreamOnly + "' in cfg (known: "
                    + "file, s3): Litefleet has no "), hinted.getMessage());
        }
    }

    @Test
    void lookups_returnTheRegisteredInstances() {
        FakeReplica s3 = new FakeReplica("s3", Set.of("s3", "s3a"));
        FakePolicy policy = new FakePolicy("default");
        PluginRegistry r = PluginRegistry.of(List.of(source(replica(s3, "a"),
                Candidate.of(PluginKind.TIERING, policy, "b"))));
        assertSame(s3, r.replica("s3", "x"));
        assertSame(s3, r.replicaForScheme("S3A", "x"));
        assertSame(policy, r.tieringPolicy("default", "x"));
        assertEquals(List.of(new PluginInfo(PluginKind.REPLICA, "s3", FakeReplica.class.getName(), "a"),
                new PluginInfo(PluginKind.TIERING, "default", FakePolicy.class.getName(), "b")), r.plugins());
    }

    @Test
    void open_withoutPluginDirectory_findsTheBuiltInFileBackend() {
        try (PluginRegistry r = PluginRegistry.open(Optional.empty())) {
            assertTrue(r.replica("file", "test") instanceof FileReplicaClientProvider);
            PluginInfo file = r.plugins().stream().filter(p -> p.type().equals("file")).findFirst().orElseThrow();
            assertEquals(FileReplicaClientProvider.class.getName(), file.className());
            String module = FileReplicaClientProvider.class.getModule().getName();
            assertEquals(module == null ? file.origin() : "module io.litefleet.core (boot layer)", file.origin());
        }
    }
}
