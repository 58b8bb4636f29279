package io.litefleet.replica.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class SftpReplicaClientProviderTest extends ReplicaUrlContract {
    private final SftpReplicaClientProvider p = new SftpReplicaClientProvider();

    @Override
    protected SftpReplicaClientProvider provider() {
        return p;
    }

    @Override
    protected String base() {
        return "sftp://bob@host:2222";
    }

    @Test
    void identity_matchesUpstream() {
        assertEquals("sftp", p.type());
        assertEquals(Set.of("sftp"), p.schemes());
        assertEquals(ReplicaLayout.LTX_DIRS, p.layout());
    }

    @Test
    void parseUrl_userPasswordHostPort() {
        assertEquals(new UrlTarget(Map.of("host", "example.com:2222", "user", "bob", "password", "s3cr%t"), "backups/db"),
                p.parseUrl(URI.create("sftp://bob:s3cr%25t@example.com:2222/backups/db")));
    }

    @Test
    void parseUrl_userOnly() {
        assertEquals(new UrlTarget(Map.of("host", "h", "user", "bob"), "db"), p.parseUrl(URI.create("sftp://bob@h/db")));
    }

    @Test
    void parseUrl_withoutUser_namesTheUrlButNotThePassword() {
        ConfigException noUser = assertThrows(ConfigException.class, () -> p.parseUrl(URI.create("sftp://h/db")));
        assertTrue(noUser.getMessage().contains("sftp://h/db") && noUser.getMessage().contains("no user"),
                noUser.getMessage());
        ConfigException query = assertThrows(ConfigException.class,
                () -> p.parseUrl(URI.create("sftp://bob:hunter2@h/db?x=1")));
        assertFalse(query.getMessage().contains("hunter2"), query.getMessage());
    }

    @Test
    void create_saysTheBackendIsNotThereYet() {
        assertTrue(assertThrows(ConfigException.class, () -> p.create(Settings.of("cfg", Map.of()))).getMessage()
                .contains("not implemented yet"));
    }
}
