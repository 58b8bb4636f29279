package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.engine.ShutdownSync;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Upstream's replica settings: top-level defaults, per-backend key checks, refusals with reasons, and the rest. */
class UpstreamKeysTest {
    /** Declares upstream's s3 keys, as the s3 plugin does (core's tests do not load the plugins). */
    record S3Like() implements ReplicaClientProvider {
        @Override
        public String type() {
            return "s3";
        }

        @Override
        public Set<String> schemes() {
            return Set.of("s3");
        }

        @Override
        public Set<String> keys() {
            return Set.of("bucket", "path", "region", "endpoint", "access-key-id", "secret-access-key");
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

    private static LitefleetConfig parse(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(k -> null)
                .parse("/etc/l.yml", yaml));
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void topLevelDefaults_applyToEachReplicaThatDoesNotSetThem_whereItsBackendTakesTheKey() {
        LitefleetConfig c = parse("""
                bucket: shared
                region: eu-west-1
                access-key-id: AKID
                secret-access-key: SECRET
                sync-interval: 7s
                host: sftp.example
                dbs:
                  - path: /a.db
                    replica: {type: s3, path: a}
                  - path: /b.db
                    replica: {type: s3, bucket: own, path: b, sync-interval: 2s}
                  - path: /c.db
                    replica: {type: file, path: /r/c}
                """);
        ReplicaConfig a = c.dbs().get(0).replica();
        assertEquals(Map.of("bucket", "shared", "region", "eu-west-1", "access-key-id", "AKID",
                "secret-access-key", "SECRET", "path", "a"), ReplicaKeys.settings(a, new S3Like()).values());
        assertEquals(Duration.ofSeconds(7), a.syncInterval());
        assertEquals(Duration.ofSeconds(7), c.dbs().get(0).engine().syncInterval());
        ReplicaConfig b = c.dbs().get(1).replica();
        assertEquals("own", ReplicaKeys.settings(b, new S3Like()).values().get("bucket"), "the replica's own wins");
        assertEquals(Duration.ofSeconds(2), b.syncInterval());
        assertEquals(Map.of("path", "/r/c"), ReplicaKeys.settings(c.dbs().get(2).replica(),
                new FileReplicaClientProvider()).values(), "a file replica takes none of the s3/sftp defaults");
    }

    @Test
    void topLevelDefaultNoReplicaTakes_isNamedForAWarning() {
        LitefleetConfig c = parse("bucket: b\nsync-interval: 2s\ndbs:\n  - path: /a.db\n    replica: {path: /r}\n");
        try (var registry = io.litefleet.core.plugin.PluginRegistry.open(java.util.Optional.empty());
             ReplicaClients clients = new ReplicaClients(registry)) {
            assertEquals(java.util.List.of("/etc/l.yml (top-level replica defaults): key 'bucket' (line 1) applies to "
                    + "no replica: no replica's backend (file) takes it"),
                    clients.unusedDefaults(c.dbs().get(0).replicas()));
        }
    }

    @Test
    void unknownReplicaKey_namesFileLineKeyAndTheBackendsAcceptedKeys() {
        LitefleetConfig c = parse("dbs:\n  - path: /a.db\n    replica:\n      type: file\n      path: /r\n"
                + "      bucket: x\n");
        String m = assertThrows(ConfigException.class, () -> ReplicaKeys.settings(c.dbs().get(0).replica(),
                new FileReplicaClientProvider())).getMessage();
        assertEquals("/etc/l.yml: dbs[0].replica: unknown key 'bucket' (line 6) for a file replica (accepted keys: "
                + "auto-recover, max-sync-ltx-files, name, path, root, sync-interval, type, url)", m);
        LitefleetConfig typo = parse("dbs:\n  - path: /a.db\n    replica: {type: s3, bucket: b, regoin: x}\n");
        String t = assertThrows(ConfigException.class, () -> ReplicaKeys.settings(typo.dbs().get(0).replica(),
                new S3Like())).getMessage();
        assertTrue(t.startsWith("/etc/l.yml: dbs[0].replica: unknown key 'regoin' (line 3) for a s3 replica "
                + "(accepted keys: access-key-id, auto-recover, bucket, endpoint,"), t);
    }

    @Test
    void replicaSettingsLitefleetDoesNotImplement_areRefusedWithTheReasonAndWhatToUse() {
        String v = error("dbs:\n  - path: /a.db\n    replica: {path: /r, validation-interval: 1h}\n");
        assertTrue(v.startsWith("/etc/l.yml: dbs[0].replica: key 'validation-interval' (line 3) is not supported: "
                + "upstream v0.5.16 reads this key but never uses it"), v);
        assertTrue(error("validation-interval: 1h\n").contains("key 'validation-interval' (line 1)"));
        String r = error("dbs:\n  - path: /a.db\n    replica: {path: /r, auto-recover: false}\n");
        assertTrue(r.contains("key 'auto-recover' (line 3) cannot be false") && r.contains("loses no committed"), r);
        assertTrue(error("auto-recover: false\n").contains("key 'auto-recover' (line 1) cannot be false"));
        assertEquals(Map.of("path", "/r"), parse("dbs:\n  - path: /a.db\n    replica: {path: /r, auto-recover: true}\n")
                .dbs().get(0).replica().backend().values(), "true is what Litefleet always does");
        assertTrue(error("dbs:\n  - path: /a.db\n    replica: {path: /r, age: {recipients: [x]}}\n")
                .contains("key 'age' (line 3) is not supported: upstream v0.5.16 refuses it too"));
        assertTrue(error("webdav-url: http://dav\n").contains("key 'webdav-url' (line 1) is not supported: Litefleet "
                + "has no webdav backend"));
        assertTrue(error("nkey: x\n").contains("has no nats backend"));
        assertTrue(error("validation:\n  interval: 1h\n").contains("key 'validation' (line 1) is not supported: "
                + "Litefleet proves continuity"));
        assertTrue(error("verify-compaction: true\n").contains("contiguous before it uploads"));
        assertTrue(error("mcp-addr: ':3001'\n").contains("no MCP server"));
        assertTrue(error("dbs:\n  - path: /a.db\n    meta-path: /m\n    replica: {path: /r}\n")
                .contains("key 'meta-path' (line 3)"));
    }

    @Test
    void maxSyncLtxFiles_perReplica_orTopLevelDefault_zeroMeansNoLimit() {
        LitefleetConfig c = parse("max-sync-ltx-files: 8\ndbs:\n  - path: /a.db\n    replicas:\n"
                + "      - {path: /r1}\n      - {path: /r2, max-sync-ltx-files: 2}\n");
        assertEquals(8, c.dbs().get(0).replicas().get(0).maxSyncFiles());
        assertEquals(2, c.dbs().get(0).replicas().get(1).maxSyncFiles());
        assertEquals(Map.of("path", "/r2"), c.dbs().get(0).replicas().get(1).backend().values());
        assertEquals(2, c.dbs().get(0).replicas().get(1).engine(io.litefleet.core.engine.EngineSettings.DEFAULTS)
                .maxSyncFiles());
        assertEquals(0, parse("dbs:\n  - path: /a.db\n    replica: {path: /r}\n").dbs().get(0).replica()
                .maxSyncFiles());
        assertTrue(error("dbs:\n  - path: /a.db\n    replica: {path: /r, max-sync-ltx-files: -1}\n")
                .contains("key 'max-sync-ltx-files' (line 3) must be between 0 and"));
    }

    @Test
    void dbSnapshot_becomesTheProcesssSchedule_unlessTheTopLevelSetsIt_conflictsNamed() {
        LitefleetConfig c = parse("""
                dbs:
                  - path: /a.db
                    snapshot: {interval: 2h, retention: 12h}
                    replica: {path: /r/a}
                  - path: /b.db
                    snapshot: {interval: 2h}
                    replica: {path: /r/b}
                """);
        assertEquals(Duration.ofHours(2), c.compaction().snapshotInterval());
        assertEquals(Duration.ofHours(12), c.compaction().snapshotRetention());
        LitefleetConfig top = parse("snapshot: {interval: 6h}\ndbs:\n  - path: /a.db\n    snapshot: {interval: 2h}\n"
                + "    replica: {path: /r/a}\n");
        assertEquals(Duration.ofHours(6), top.compaction().snapshotInterval(), "the top-level value wins");
        String m = error("dbs:\n  - path: /a.db\n    snapshot: {interval: 2h}\n    replica: {path: /r/a}\n"
                + "  - path: /b.db\n    snapshot: {interval: 3h}\n    replica: {path: /r/b}\n");
        assertTrue(m.contains("dbs[1].snapshot: key 'interval'") && m.contains("dbs[0].snapshot has 2h"), m);
        assertTrue(error("dbs:\n  - path: /a.db\n    snapshot: {every: 2h}\n    replica: {path: /r}\n")
                .contains("unknown key 'every'"));
    }

    @Test
    void shutdownSync_upstreamDefaults_valuesApplied_badValuesNamed() {
        assertEquals(ShutdownSync.DEFAULTS, parse("dbs: []\n").shutdownSync());
        assertEquals(new ShutdownSync(Duration.ofSeconds(5), Duration.ofMillis(100)),
                parse("shutdown-sync-timeout: 5s\nshutdown-sync-interval: 100ms\n").shutdownSync());
        assertEquals(Duration.ZERO, parse("shutdown-sync-timeout: 0s\n").shutdownSync().timeout());
        assertTrue(error("shutdown-sync-interval: 0s\n").contains("key 'shutdown-sync-interval' (line 1) must be "
                + "positive"));
        assertTrue(error("shutdown-sync-timeout: soon\n").contains("key 'shutdown-sync-timeout' (line 1)"));
    }

    @Test
    void heartbeat_urlAndInterval_upstreamsRules() {
        LitefleetConfig c = parse("heartbeat-url: https://hc-ping.com/abc\nheartbeat-interval: 2m\n");
        assertEquals(new HeartbeatConfig(URI.create("https://hc-ping.com/abc"), Duration.ofMinutes(2)),
                c.heartbeat().orElseThrow());
        assertEquals(Duration.ofMinutes(5), parse("heartbeat-url: http://h/x\n").heartbeat().orElseThrow()
                .interval());
        assertTrue(parse("dbs: []\n").heartbeat().isEmpty());
        assertTrue(error("heartbeat-url: http://h/x\nheartbeat-interval: 30s\n").contains("key 'heartbeat-interval' "
                + "(line 2) must be at least 1m"));
        assertTrue(error("heartbeat-url: ftp://h/x\n").contains("key 'heartbeat-url' (line 1) must be an http or "
                + "https URL, got 'ftp://h/x'"));
        assertTrue(error("heartbeat-interval: 5m\n").contains("needs 'heartbeat-url'"));
        String fleet = error("heartbeat-url: http://h/x\nmulti-db:\n  enabled: true\n  patterns: ['/d/*.db']\n"
                + "  replica-template: {type: file, path: '/r/{{x}}'}\n");
        assertTrue(fleet.contains("key 'heartbeat-url' (line 1) needs databases listed under 'dbs:'"), fleet);
    }

    @Test
    void addr_hostPortForms_badOnesNamed() {
        assertEquals(new ListenAddress("", 9090, "/etc/l.yml: key 'addr' (line 1)"),
                parse("addr: ':9090'\n").addr().orElseThrow());
        assertEquals("127.0.0.1", parse("addr: 127.0.0.1:9090\n").addr().orElseThrow().host());
        assertEquals("::1", parse("addr: '[::1]:9091'\n").addr().orElseThrow().host());
        assertEquals("127.0.0.1:9090", parse("dbs: []\n").addr().map(a -> a.host() + ":" + a.port()).orElseThrow());
        assertTrue(parse("dbs: []\n").http().defaulted());
        assertTrue(parse("addr: off\n").addr().isEmpty());
        assertTrue(parse("addr: ''\n").addr().isEmpty());
        assertEquals("/etc/l.yml: key 'addr' (line 1) must be host:port or :port (for example :9090 or "
                + "127.0.0.1:9090), got '9090'", error("addr: '9090'\n"));
        assertTrue(error("addr: ':70000'\n").contains("got ':70000'"));
    }
}
