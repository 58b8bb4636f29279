package io.litefleet.replica.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.testkit.ReplicaUrlContract;
import java.net.URI;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GcsReplicaClientProviderTest extends ReplicaUrlContract {
    private final GcsReplicaClientProvider p = new GcsReplicaClientProvider();

    @Override
    protected GcsReplicaClientProvider provider() {
        return p;
    }

    @Override
    protected String base() {
        return "gs://bucket";
    }

    @Test
    void identity_matchesUpstream() {
        assertEquals("gs", p.type());
        assertEquals(Set.of("gs"), p.schemes());
        assertEquals(ReplicaLayout.LTX_DIRS, p.layout());
    }

    @Test
    void parseUrl_bucketAndPath() {
        assertEquals(new UrlTarget(Map.of("bucket", "my-bucket"), "a/b"), p.parseUrl(URI.create("gs://my-bucket/a/b/")));
        assertEquals(new UrlTarget(Map.of("bucket", "b"), ""), p.parseUrl(URI.create("gs://b")));
    }

    @Test
    void parseUrl_withoutBucket_namesTheUrl() {
        ConfigException e = assertThrows(ConfigException.class, () -> p.parseUrl(URI.create("gs:///path")));
        assertTrue(e.getMessage().contains("gs:///path"), e.getMessage());
    }

    @Test
    void serviceFile_findsTheProviderOnTheClassPath() {
        assertTrue(ServiceLoader.load(ReplicaClientProvider.class).stream()
                .anyMatch(s -> s.type() == GcsReplicaClientProvider.class));
    }

    @Test
    void create_unknownKey_namesItAndTheKnownOne() {
        ConfigException e = assertThrows(ConfigException.class, () -> p.create(Settings.of("cfg", Map.of(
                "bucket", "b", "endpoint", "http://127.0.0.1:1"))));
        assertTrue(e.getMessage().contains("'endpoint'") && e.getMessage().contains("bucket"), e.getMessage());
    }
}
