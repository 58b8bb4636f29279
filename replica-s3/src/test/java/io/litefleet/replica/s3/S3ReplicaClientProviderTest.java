package io.litefleet.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.testkit.ReplicaUrlContract;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class S3ReplicaClientProviderTest extends ReplicaUrlContract {
    private final S3ReplicaClientProvider p = new S3ReplicaClientProvider();

    @Override
    protected S3ReplicaClientProvider provider() {
        return p;
    }

    @Override
    protected String base() {
        return "s3://bucket";
    }

    private UrlTarget parse(String url) {
        return p.parseUrl(URI.create(url));
    }

    @Test
    void identity_matchesUpstream() {
        assertEquals("s3", p.type());
        assertEquals(Set.of("s3"), p.schemes());
        assertEquals(ReplicaLayout.HEX_LEVEL_DIRS, p.layout());
    }

    @Test
    void parseUrl_plainBucket() {
        assertEquals(new UrlTarget(Map.of("bucket", "my-bucket"), "dbs/app.db"), parse("s3://my-bucket/dbs/app.db/"));
        assertEquals(new UrlTarget(Map.of("bucket", "b"), ""), parse("s3://b"));
    }

    @Test
    void parseUrl_endpointAndRegion_defaultToPathStyle() {
        assertEquals(new UrlTarget(Map.of("bucket", "b", "endpoint", "http://localhost:9000", "region", "eu-west-1",
                "force-path-style", "true"), "p"), parse("s3://b/p?endpoint=localhost:9000&region=eu-west-1"));
        assertEquals(new UrlTarget(Map.of("bucket", "b", "endpoint", "https://s3.example.com",
                "force-path-style", "false"), "p"), parse("s3://b/p?endpoint=s3.example.com&forcePathStyle=false"));
    }

    @Test
    void parseUrl_awsVirtualHost_givesBucketAndRegion() {
        assertEquals(new UrlTarget(Map.of("bucket", "b", "region", "us-west-2"), "x"),
                parse("s3://b.s3.us-west-2.amazonaws.com/x"));
    }

    @Test
    void parseUrl_minioStyleHost_givesEndpoint() {
        assertEquals(new UrlTarget(Map.of("bucket", "b", "endpoint", "http://localhost:9000", "region", "us-east-1",
                "force-path-style", "true"), "x"), parse("s3://b.localhost:9000/x"));
    }

    @Test
    void parseUrl_badInput_namesIt() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> parse("s3://b/p?colour=blue"));
        assertTrue(unknown.getMessage().contains("'colour'") && unknown.getMessage().contains("s3://b/p?colour=blue"),
                unknown.getMessage());
        ConfigException noBucket = assertThrows(ConfigException.class, () -> parse("s3:///p"));
        assertTrue(noBucket.getMessage().contains("no bucket"), noBucket.getMessage());
    }

    @Test
    void create_opensAClientNamedByItsBucket_withoutARequest() {
        try (var client = p.create(Settings.of("cfg", Map.of("bucket", "b", "endpoint", "http://127.0.0.1:1",
                "access-key-id", "AK", "secret-access-key", "SK")))) {
            assertEquals("s3", client.type());
            assertEquals("s3://b", client.describe());
        }
    }

    @Test
    void create_unknownKey_namesItAndTheSection() {
        ConfigException e = assertThrows(ConfigException.class, () -> p.create(Settings.of("cfg",
                Map.of("bucket", "b", "colour", "blue"))));
        assertTrue(e.getMessage().startsWith("cfg: unknown key 'colour'"), e.getMessage());
    }

    @Test
    void parseUrl_sseCustomerKeyInAMessage_isMasked() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("s3://b/p?sse-customer-key=c2VjcmV0LWtleQ&colour=blue"));
        assertTrue(e.getMessage().contains("sse-customer-key=***") && !e.getMessage().contains("c2VjcmV0LWtleQ"),
                e.getMessage());
    }
}
