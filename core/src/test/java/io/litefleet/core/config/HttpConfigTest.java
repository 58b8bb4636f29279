package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code addr:} (default, off), {@code addr-token}/{@code addr-token-file} and {@code health:}, bad values named. */
class HttpConfigTest {
    @TempDir
    Path dir;

    private static HttpConfig parse(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(k -> null)
                .parse("/etc/l.yml", yaml)).http();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void absent_isTheLoopbackDefault_offTurnsItOff_explicitIsNotDefaulted() {
        HttpConfig d = parse("dbs: []\n");
        assertEquals(new ListenAddress("127.0.0.1", 9090, "/etc/l.yml: the default addr 127.0.0.1:9090 (no key "
                + "'addr')"), d.addr().orElseThrow());
        assertTrue(d.defaulted());
        assertEquals(Optional.empty(), d.token());
        assertEquals(HttpConfig.HealthThresholds.DEFAULTS, d.health());
        assertTrue(parse("addr: OFF\n").addr().isEmpty());
        assertFalse(parse("addr: 127.0.0.1:9191\n").defaulted());
    }

    @Test
    void token_inlineOrFromFile_trimmed_butNotBoth_notEmpty_notWithSpaces() throws Exception {
        assertEquals(Optional.of("abc"), parse("addr-token: ' abc '\n").token());
        Path f = Files.writeString(dir.resolve("token"), "s3cret\n");
        assertEquals(Optional.of("s3cret"), parse("addr-token-file: " + f + "\n").token());
        assertEquals("/etc/l.yml: keys 'addr-token' (line 1) and 'addr-token-file' (line 2) are exclusive: give one",
                error("addr-token: a\naddr-token-file: " + f + "\n"));
        assertEquals("/etc/l.yml: key 'addr-token' (line 1): the token is empty", error("addr-token: ''\n"));
        assertTrue(error("addr-token: 'a b'\n").contains("printable ASCII without spaces"));
        String missing = error("addr-token-file: " + dir.resolve("nope") + "\n");
        assertTrue(missing.startsWith("/etc/l.yml: key 'addr-token-file' (line 1): cannot read " + dir.resolve("nope")),
                missing);
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertTrue(error("addr-token-file: " + empty + "\n").endsWith("the token is empty"));
    }

    @Test
    void health_thresholds_parsed_andBadOnesNamed() {
        HttpConfig c = parse("health:\n  max-lag: 30s\n  max-failing: 2m\n  missed-scans: 5\n");
        assertEquals(new HttpConfig.HealthThresholds(Duration.ofSeconds(30), Duration.ofMinutes(2), 5), c.health());
        assertTrue(error("health:\n  max-lag: 0s\n").contains("key 'max-lag' (line 2) must be positive, got '0s'"));
        assertTrue(error("health:\n  missed-scans: 0\n").contains("missed-scans"));
        assertTrue(error("health:\n  max-lagg: 1m\n").contains("unknown key 'max-lagg'"));
    }
}
