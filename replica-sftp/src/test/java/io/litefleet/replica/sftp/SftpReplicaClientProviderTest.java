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
    void parseUrl_twoSlashes_meansAnAbsolutePath() {
        assertEquals(new UrlTarget(Map.of("host", "h", "user", "bob", "root", "/"), "srv/backups/db"),
                p.parseUrl(URI.create("sftp://bob@h//srv/backups/db")));
    }

    @Test
    void target_absoluteConfigPath_isUnderTheRootDirectory() {
        Settings abs = Settings.of("cfg", Map.of("host", "h", "user", "bob", "path", "/srv/backups/db"));
        assertEquals(new UrlTarget(Map.of("host", "h", "user", "bob", "root", "/"), "srv/backups/db"), p.target(abs));
        Settings rel = Settings.of("cfg", Map.of("host", "h", "user", "bob", "path", "backups/db"));
        assertEquals(new UrlTarget(Map.of("host", "h", "user", "bob"), "backups/db"), p.target(rel));
    }

    @Test
    void describe_namesUserHostPortAndRoot_andRoundTripsThroughParseUrl() {
        assertEquals("sftp://bob@h:22", settings(Map.of()).describe());
        assertEquals("sftp://bob@[::1]:2222", settings(Map.of("host", "[::1]:2222")).describe());
        SftpSettings rooted = settings(Map.of("root", "/"));
        assertEquals("sftp://bob@h:22//", rooted.describe());
        UrlTarget back = p.parseUrl(URI.create(rooted.describe() + "srv/db"));
        assertEquals("/", back.destination().get("root"));
        assertEquals("srv/db", back.path());
        assertEquals("/srv/db/ltx/0", rooted.remote("srv/db/ltx/0"));
        assertEquals("db/ltx", settings(Map.of()).remote("db/ltx"));
        assertEquals(".", settings(Map.of()).remote(""));
    }

    @Test
    void settings_toString_neverShowsThePassword() {
        SftpSettings s = settings(Map.of("password", "hunter2-secret"));
        assertFalse(s.toString().contains("hunter2"), s.toString());
        assertTrue(s.toString().contains("password set"), s.toString());
    }

    @Test
    void create_withoutPasswordOrKey_namesBothKeys() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> p.create(Settings.of("cfg", Map.of("host", "h", "user", "bob"))));
        assertTrue(e.getMessage().contains("'key-path'") && e.getMessage().contains("'password'"), e.getMessage());
    }

    @Test
    void create_badValues_areNamedWithTheirKey() {
        assertMessage("'host'", "h:99999", Map.of("host", "h:99999"));
        assertMessage("'host'", "bob@h", Map.of("host", "bob@h"));
        assertMessage("'channels'", "0", Map.of("channels", "0"));
        assertMessage("'concurrent-writes'", "maybe", Map.of("concurrent-writes", "maybe"));
        assertMessage("'root'", "relative/dir", Map.of("root", "relative/dir"));
        assertMessage("'colour'", "known keys", Map.of("colour", "blue"));
        assertMessage("'key-path'", "/nonexistent/id_ed25519", Map.of("key-path", "/nonexistent/id_ed25519"));
        assertMessage("'known-hosts-path'", "/nonexistent/known_hosts",
                Map.of("known-hosts-path", "/nonexistent/known_hosts"));
        assertMessage("'host-key'", "ssh-ed25519 not-base64", Map.of("host-key", "ssh-ed25519 not-base64!"));
        assertMessage("'key-passphrase'", "'key-path' is not", Map.of("key-passphrase", "x"));
    }

    @Test
    void create_badValue_neverEchoesThePassword() {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("host", "h:0", "user", "bob", "password",
                "hunter2-secret"));
        ConfigException e = assertThrows(ConfigException.class, () -> p.create(Settings.of("cfg", values)));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    private void assertMessage(String key, String value, Map<String, Object> overrides) {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("host", "h", "user", "bob", "password", "pw"));
        values.putAll(overrides);
        ConfigException e = assertThrows(ConfigException.class, () -> p.create(Settings.of("cfg", values)));
        assertTrue(e.getMessage().startsWith("cfg") && e.getMessage().contains(key) && e.getMessage().contains(value),
                e.getMessage());
    }

    private static SftpSettings settings(Map<String, Object> overrides) {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("host", "h", "user", "bob", "password", "pw"));
        values.putAll(overrides);
        return SftpSettings.parse(Settings.of("cfg", values));
    }
}
