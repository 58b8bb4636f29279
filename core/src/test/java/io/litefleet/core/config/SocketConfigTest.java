package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Litestream's {@code socket:} section: upstream's keys, defaults and octal permissions. */
class SocketConfigTest {
    private static SocketConfig parse(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(Map.<String, String>of()::get)
                .parse("/etc/l.yml", yaml)).socket();
    }

    @Test
    void absentOrEmpty_isUpstreamsDefault_off() {
        assertEquals(SocketConfig.DEFAULTS, parse("dbs: []\n"));
        assertEquals(new SocketConfig(false, Path.of("/var/run/litestream.sock"), 0600), parse("socket: {}\n"));
    }

    @Test
    void keys_areRead_permissionsOctalAsGoReadsThem() {
        assertEquals(new SocketConfig(true, Path.of("/tmp/ls.sock"), 0660),
                parse("socket:\n  enabled: true\n  path: /tmp/ls.sock\n  permissions: 0660\n"));
        assertEquals(0640, parse("socket:\n  permissions: 0o640\n").permissions());
        assertEquals(384, parse("socket:\n  permissions: 384\n").permissions(), "decimal without a leading 0");
    }

    @Test
    void badKeysAndValues_nameTheKey() {
        assertEquals("/etc/l.yml: socket: unknown key 'mode' (line 2) (known keys: enabled, path, permissions)",
                assertThrows(ConfigException.class, () -> parse("socket:\n  mode: 1\n")).getMessage());
        assertEquals("/etc/l.yml: socket: key 'permissions' (line 2) must be file permission bits such as 0600 or "
                + "0660, got '0999'", assertThrows(ConfigException.class,
                () -> parse("socket:\n  permissions: 0999\n")).getMessage());
        assertEquals("/etc/l.yml: socket: key 'enabled' (line 2) must be true or false, got 'sometimes'",
                assertThrows(ConfigException.class, () -> parse("socket:\n  enabled: sometimes\n")).getMessage());
    }
}
