package io.litefleet.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdSettingsTest {
    @TempDir
    Path dir;

    private static EtcdSettings parse(Map<String, Object> extra) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("endpoints", List.of("http://127.0.0.1:2379", "https://etcd-2.internal:2379/"));
        values.putAll(extra);
        return EtcdSettings.parse(new Settings("/etc/litefleet.yml", values, Map.of("endpoints", 7,
                "lease-ttl", 8, "fence-margin", 9)));
    }

    private static String error(Map<String, Object> extra) {
        return assertThrows(ConfigException.class, () -> parse(extra)).getMessage();
    }

    @Test
    void defaults() {
        EtcdSettings s = parse(Map.of());
        assertEquals(List.of(URI.create("http://127.0.0.1:2379"), URI.create("https://etcd-2.internal:2379")),
                s.endpoints());
        assertEquals(Duration.ofSeconds(10), s.leaseTtl());
        assertEquals(Duration.ofSeconds(2), s.fenceMargin(), "max(1s, TTL/5)");
        assertEquals(Duration.ofMillis(3333), s.requestTimeout().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                "min(5s, TTL/3)");
        assertEquals("/litefleet/", s.prefix());
        assertEquals(Duration.ofSeconds(1), parse(Map.of("lease-ttl", "3s")).fenceMargin());
    }

    @Test
    void badValuesNameFileKeyLineAndValue() {
        String e = error(Map.of("endpoints", List.of("127.0.0.1:2379")));
        assertTrue(e.contains("/etc/litefleet.yml") && e.contains("'endpoints' (line 7)") && e.contains("127.0.0.1:2379"),
                e);
        assertTrue(error(Map.of("endpoints", List.of("http://h:2379/v3"))).contains("no path"));
        e = error(Map.of("lease-ttl", "1s"));
        assertTrue(e.contains("'lease-ttl' (line 8)") && e.contains("PT1S"), e);
        assertTrue(error(Map.of("lease-ttl", "2500ms")).contains("whole seconds"));
        e = error(Map.of("lease-ttl", "10s", "fence-margin", "5s"));
        assertTrue(e.contains("'fence-margin' (line 9)") && e.contains("half"), e);
        assertTrue(error(Map.of("prefix", "/x")).contains("'/x'"));
        assertTrue(error(Map.of("ttl", "3s")).contains("ttl"), "unknown keys are refused");
        assertTrue(error(Map.of("tls", Map.of("ca", "x"))).contains("ca"), "unknown tls keys are refused");
        assertTrue(error(Map.of("tls", Map.of("ca-file", dir.resolve("nope.pem").toString())))
                .contains("nope.pem"));
        assertTrue(error(Map.of("username", "u")).contains("'username' and 'password'"));
        assertTrue(error(Map.of("username", "u", "password", "p", "password-file", "f")).contains("exclude"));
        Map<String, Object> none = new LinkedHashMap<>();
        none.put("lease-ttl", "5s");
        ConfigException missing = assertThrows(ConfigException.class,
                () -> EtcdSettings.parse(Settings.of("/etc/litefleet.yml", none)));
        assertTrue(missing.getMessage().contains("'endpoints' is required"), missing.getMessage());
    }

    @Test
    void unsafeSettingsAreRefused() {
        String e = error(Map.of("fence-margin", "0s"));
        assertTrue(e.contains("'fence-margin' (line 9)") && e.contains("at least 500ms"), e);
        assertTrue(error(Map.of("lease-ttl", "4s", "request-timeout", "3s")).contains("at most half of lease-ttl"));
        assertEquals(Duration.ofSeconds(2), parse(Map.of("lease-ttl", "4s", "request-timeout", "2s"))
                .requestTimeout(), "half the TTL is allowed");
        Map<String, Object> remote = new LinkedHashMap<>();
        remote.put("endpoints", List.of("http://etcd-1.internal:2379"));
        remote.put("username", "u");
        remote.put("password", "p");
        ConfigException clear = assertThrows(ConfigException.class,
                () -> EtcdSettings.parse(Settings.of("/etc/litefleet.yml", remote)));
        assertTrue(clear.getMessage().contains("clear text") && clear.getMessage().contains("etcd-1.internal"),
                clear.getMessage());
        remote.put("endpoints", List.of("http://127.0.0.1:2379", "http://[::1]:2379", "http://localhost:2379"));
        assertEquals(Optional.of("p"), EtcdSettings.parse(Settings.of("/etc/litefleet.yml", remote)).password(),
                "a password to this machine over http is allowed");
        Map<String, Object> tlsOnHttp = new LinkedHashMap<>();
        tlsOnHttp.put("endpoints", List.of("http://127.0.0.1:2379"));
        tlsOnHttp.put("tls", Map.of());
        ConfigException tls = assertThrows(ConfigException.class,
                () -> EtcdSettings.parse(Settings.of("/etc/litefleet.yml", tlsOnHttp)));
        assertTrue(tls.getMessage().contains("no endpoint is https://"), tls.getMessage());
    }

    @Test
    void passwordFileIsReadAndNeverPrinted() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "s3cret\n");
        EtcdSettings s = parse(Map.of("username", "litefleet", "password-file", file.toString()));
        assertEquals(Optional.of("s3cret"), s.password());
        assertFalse(s.toString().contains("s3cret"), s.toString());
        assertTrue(error(Map.of("username", "u", "password-file", dir.resolve("missing").toString()))
                .contains("missing"));
    }
}
