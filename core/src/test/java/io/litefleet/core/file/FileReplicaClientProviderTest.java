package io.litefleet.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.testkit.ReplicaUrlContract;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReplicaClientProviderTest extends ReplicaUrlContract {
    private final FileReplicaClientProvider provider = new FileReplicaClientProvider();

    @Override
    protected FileReplicaClientProvider provider() {
        return provider;
    }

    @Override
    protected String base() {
        return "file://";
    }

    @Test
    void identity_matchesUpstream() {
        assertEquals("file", provider.type());
        assertEquals(Set.of("file"), provider.schemes());
        assertEquals(ReplicaLayout.LTX_DIRS, provider.layout());
    }

    @Test
    void parseUrl_directory_isAPathUnderTheSharedRoot() {
        assertEquals(new UrlTarget(Map.of("root", "/"), "backups/db"),
                provider.parseUrl(URI.create("file:///backups/db")));
        assertEquals(new UrlTarget(Map.of("root", "/"), "backups/db"),
                provider.parseUrl(URI.create("file:///backups/./x/../db/")));
    }

    @Test
    void parseUrl_unusable_namesTheUrl() {
        for (String url : new String[] {"file:///", "file://host/dir", "s3://bucket/x", "file:///d?x=1"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> provider.parseUrl(URI.create(url)));
            assertTrue(e.getMessage().contains(url), e.getMessage());
        }
    }

    @Test
    void create_fromParsedUrl_writesUnderTheUrlsDirectory(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("a/b");
        UrlTarget t = provider.parseUrl(root.toUri());
        try (ReplicaClient c = provider.create(Settings.of("url", t.destination()))) {
            c.put(t.path() + "/ltx/0/x.ltx", io.litefleet.api.replica.ObjectBody.of(new byte[] {1}),
                    io.litefleet.api.replica.PutOptions.DEFAULT);
            assertTrue(Files.isRegularFile(root.resolve("ltx/0/x.ltx")));
            assertEquals("file:///", c.describe());
        }
    }

    @Test
    void create_unknownKey_isRejectedNamingIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> provider.create(Settings.of("litefleet.yml: dbs[0].replica", Map.of("root", "/x", "bucket", "b"))));
        assertTrue(e.getMessage().contains("litefleet.yml: dbs[0].replica") && e.getMessage().contains("'bucket'"),
                e.getMessage());
    }

    @Test
    void create_relativeOrMissingRoot_isRejected() {
        ConfigException rel = assertThrows(ConfigException.class,
                () -> provider.create(Settings.of("cfg", Map.of("root", "relative/dir"))));
        assertTrue(rel.getMessage().contains("'relative/dir'"), rel.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> provider.create(Settings.of("cfg", Map.of())));
        assertTrue(missing.getMessage().contains("'root'"), missing.getMessage());
    }
}
