package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every backend of the image (the built-in file backend and the four drop-in plugins) declares its keys: a typo in a
 * replica section stops {@code litefleet replicate} before anything is opened, naming the file, line, key and the
 * backend's accepted keys, and those include every spelling upstream v0.5.16 reads for that backend
 * ({@code cmd/litestream/main.go}: {@code ReplicaSettings} and each {@code new*ReplicaClientFromConfig}).
 */
class BackendKeysIT {
    /** Per backend: a section with the required keys, the typo added last, and upstream's keys for it. */
    record Backend(String type, String section, String typo, List<String> upstream) {
    }

    static final List<Backend> BACKENDS = List.of(
            new Backend("file", "path: /tmp/replica", "pth", List.of("path")),
            new Backend("s3", "bucket: b\n      path: p\n      endpoint: http://127.0.0.1:1", "regoin",
                    List.of("bucket", "path", "region", "endpoint", "access-key-id", "secret-access-key",
                            "force-path-style", "sign-payload", "require-content-md5", "skip-verify",
                            "storage-class", "part-size", "concurrency", "sse-customer-algorithm", "sse-customer-key",
                            "sse-customer-key-path", "sse-kms-key-id")),
            new Backend("gs", "bucket: b\n      path: p", "buckt", List.of("bucket", "path")),
            new Backend("abs", "bucket: container\n      account-name: acct\n      path: p", "account-kee",
                    List.of("bucket", "path", "account-name", "account-key", "sas-token", "endpoint")),
            new Backend("sftp", "host: 127.0.0.1:1\n      user: u\n      password: pw\n      path: p", "hots-key",
                    List.of("host", "user", "password", "path", "key-path", "host-key", "concurrent-writes")));

    @TempDir
    Path dir;

    @Test
    void aTypoInAnyBackendsSection_isRefusedNamingFileLineKeyAndTheAcceptedKeys() throws Exception {
        Path db = dir.resolve("app.db");
        Files.write(db, new byte[0]);
        for (Backend b : BACKENDS) {
            Path config = dir.resolve(b.type() + ".yml");
            String yaml = "state-dir: " + dir.resolve("state") + "\ndbs:\n  - path: " + db + "\n    replica:\n"
                    + "      type: " + b.type() + "\n      " + b.section() + "\n      " + b.typo() + ": x\n";
            Files.writeString(config, yaml);
            int line = yaml.split("\n").length;
            Image.Result r = Image.litefleet(dir, Map.of(), "replicate", "-config", config.toString(), "-once");
            assertEquals(1, r.exitCode(), b.type() + ":\n" + r.output());
            String expected = config + ": dbs[0].replica: unknown key '" + b.typo() + "' (line " + line + ") for a "
                    + b.type() + " replica (accepted keys: ";
            assertTrue(r.output().contains(expected), b.type() + ": expected '" + expected + "' in\n" + r.output());
            assertFalse(r.output().contains("\tat "), "no stack trace:\n" + r.output());
            Matcher m = Pattern.compile("accepted keys: ([^)]*)\\)").matcher(r.output());
            assertTrue(m.find(), r.output());
            List<String> accepted = List.of(m.group(1).split(", "));
            for (String key : b.upstream()) {
                assertTrue(accepted.contains(key), b.type() + " accepts upstream's '" + key + "': " + accepted);
            }
            for (String engine : List.of("type", "url", "name", "sync-interval")) {
                assertTrue(accepted.contains(engine), b.type() + " lists the engine's '" + engine + "'");
            }
        }
    }
}
