package io.litefleet.core.config;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Upstream Litestream v0.5.16's replica settings ({@code ReplicaSettings} in {@code cmd/litestream/main.go}), which a
 * config file may give per replica or once at the top as defaults for every replica: which of them Litefleet
 * implements, and why it refuses the others. Stateless.
 */
final class UpstreamKeys {
    /**
     * Upstream's backend keys of the backends Litefleet has (s3, abs, sftp; gs and file read only {@code bucket} and
     * {@code path}), accepted at the top level as defaults: each applies to every replica whose backend declares it
     * and that does not set it ({@link ReplicaKeys#settings}).
     */
    static final Set<String> BACKEND_DEFAULTS = Set.of("access-key-id", "secret-access-key", "region", "bucket",
            "endpoint", "force-path-style", "sign-payload", "require-content-md5", "skip-verify", "storage-class",
            "part-size", "concurrency", "sse-customer-algorithm", "sse-customer-key", "sse-customer-key-path",
            "sse-kms-key-id", "account-name", "account-key", "sas-token", "host", "user", "password", "key-path",
            "concurrent-writes", "host-key");
    /** Engine keys upstream accepts both per replica and at the top. */
    static final Set<String> ENGINE_DEFAULTS = Set.of("sync-interval", "auto-recover", "max-sync-ltx-files");

    private static final String NO_WEBDAV = "Litefleet has no webdav backend (its backends: file, s3, gs, abs, sftp)";
    private static final String NO_NATS = "Litefleet has no nats backend (its backends: file, s3, gs, abs, sftp)";
    /** Replica settings refused wherever they appear (per replica or at the top), with the reason. */
    private static final Map<String, String> REFUSED = refused();
    /** Upstream's other top-level keys Litefleet does not implement, with the reason. */
    private static final Map<String, String> TOP_REFUSED = Map.of(
            "validation", "Litefleet proves continuity with the replica at every sync (WAL checksum chain, LTX "
                    + "checksums) instead of listing it periodically; to check a replica from outside, restore it "
                    + "('litefleet restore -o FILE URL') and compare",
            "verify-compaction", "Litefleet checks that a compaction's inputs are contiguous before it uploads the "
                    + "result (a gap or overlap stops the compaction instead of being logged after it): remove the key",
            "mcp-addr", "Litefleet has no MCP server; 'litefleet databases' and the metrics at 'addr:' give the "
                    + "status");

    private UpstreamKeys() {
    }

    private static Map<String, String> refused() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("validation-interval", "upstream v0.5.16 reads this key but never uses it (its periodic check is the "
                + "top-level 'validation: interval:'); Litefleet proves continuity with the replica at every sync "
                + "instead: remove the key");
        m.put("age", "upstream v0.5.16 refuses it too (age encryption was dropped in v0.5); use the store's "
                + "encryption instead (s3: 'sse-customer-key' or 'sse-kms-key-id')");
        for (String k : new String[] {"webdav-url", "webdav-username", "webdav-password"}) {
            m.put(k, NO_WEBDAV);
        }
        for (String k : new String[] {"jwt", "seed", "creds", "nkey", "username", "token", "tls", "root-cas",
            "client-cert", "client-key", "max-reconnects", "reconnect-wait", "timeout"}) {
            m.put(k, NO_NATS);
        }
        return Map.copyOf(m);
    }

    /** The top-level replica defaults accepted: backend keys and engine keys. */
    static Set<String> topLevelKeys() {
        Set<String> all = new java.util.HashSet<>(BACKEND_DEFAULTS);
        all.addAll(ENGINE_DEFAULTS);
        return Set.copyOf(all);
    }

    /**
     * Refuses the replica settings Litefleet does not implement in {@code s} (a replica section or the top level),
     * and {@code auto-recover: false}.
     *
     * @throws ConfigException naming the file, section, line and key, why, and what to use instead
     */
    static void check(Settings s) {
        for (String k : s.keys()) {
            String why = REFUSED.get(k);
            if (why != null) {
                throw new ConfigException(s.origin() + ": key '" + k + "'" + s.at(k) + " is not supported: " + why);
            }
        }
        if (!s.bool("auto-recover", true)) {
            throw new ConfigException(s.origin() + ": key 'auto-recover'" + s.at("auto-recover") + " cannot be "
                    + "false: when continuity with the replica cannot be proven Litefleet always captures the "
                    + "database anew, which loses no committed transaction (the WAL is the staging area; there are no "
                    + "local LTX files to reset); remove the key, or set it to true");
        }
    }

    /**
     * Refuses upstream's top-level keys Litefleet does not implement, then the replica settings ({@link #check}).
     *
     * @throws ConfigException naming the file, line and key, why, and what to use instead
     */
    static void checkTop(Settings top) {
        for (String k : top.keys()) {
            String why = TOP_REFUSED.get(k);
            if (why != null) {
                throw new ConfigException(top.origin() + ": key '" + k + "'" + top.at(k) + " is not supported: "
                        + why);
            }
        }
        check(top);
    }

    /** The top-level backend defaults of {@code top}, for {@link ReplicaConfig#defaults()}. */
    static Settings backendDefaults(Settings top) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (String k : top.keys()) {
            if (BACKEND_DEFAULTS.contains(k)) {
                values.put(k, top.values().get(k));
                if (top.lines().containsKey(k)) {
                    lines.put(k, top.lines().get(k));
                }
            }
        }
        return new Settings(top.origin() + " (top-level replica defaults)", values, lines);
    }
}
