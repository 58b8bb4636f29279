package io.litefleet.replica.azure;

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

class AzureReplicaClientProviderTest extends ReplicaUrlContract {
    private final AzureReplicaClientProvider p = new AzureReplicaClientProvider();

    @Override
    protected AzureReplicaClientProvider provider() {
        return p;
    }

    @Override
    protected String base() {
        return "abs://account@container";
    }

    @Test
    void identity_matchesUpstream() {
        assertEquals("abs", p.type());
        assertEquals(Set.of("abs"), p.schemes());
        assertEquals(ReplicaLayout.LTX_DIRS, p.layout());
    }

    @Test
    void parseUrl_withAccount() {
        assertEquals(new UrlTarget(Map.of("bucket", "container", "account-name", "acct"), "db/app"),
                p.parseUrl(URI.create("abs://acct@container/db/app")));
    }

    @Test
    void parseUrl_withoutAccount() {
        assertEquals(new UrlTarget(Map.of("bucket", "container"), "db"), p.parseUrl(URI.create("abs://container/db")));
    }

    @Test
    void parseUrl_withoutContainer_namesTheUrl() {
        ConfigException e = assertThrows(ConfigException.class, () -> p.parseUrl(URI.create("abs://acct@/db")));
        assertTrue(e.getMessage().contains("abs://acct@/db") && e.getMessage().contains("no container"),
                e.getMessage());
    }

    @Test
    void create_keyAndEndpoint_describesTheDestinationWithoutTheKey() {
        try (var c = p.create(Settings.of("cfg", Map.of("bucket", "container", "account-name", "acct",
                "account-key", "c2VjcmV0LWtleQ==", "endpoint", "http://127.0.0.1:1/acct")))) {
            assertEquals("abs", c.type());
            assertEquals("abs://acct@container", c.describe());
            assertTrue(!c.toString().contains("c2VjcmV0LWtleQ=="), c.toString());
        }
    }

    @Test
    void parseUrl_withPassword_isRefusedWithoutShowingIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> p.parseUrl(URI.create("abs://acct:s3cretKey@container/db")));
        assertTrue(e.getMessage().contains("account-key") && !e.getMessage().contains("s3cretKey"), e.getMessage());
    }

    @Test
    void create_unknownKey_namesItAndTheKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> p.create(Settings.of("cfg", Map.of(
                "bucket", "container", "account-name", "acct", "region", "x"))));
        assertTrue(e.getMessage().contains("'region'") && e.getMessage().contains("sas-token"), e.getMessage());
    }
}
