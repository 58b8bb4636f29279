package io.litefleet.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3ConfigTest {
    private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes, base64

    private static S3Config parse(Map<String, String> env, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return S3Config.parse(Settings.of("litefleet.yml: dbs[0].replica", m), env);
    }

    private static ConfigException fails(Object... kv) {
        return assertThrows(ConfigException.class, () -> parse(Map.of(), kv));
    }

    @Test
    void defaults_areUpstreams() {
        S3Config c = parse(Map.of(), "bucket", "b");
        assertEquals(Optional.empty(), c.endpoint());
        assertFalse(c.forcePathStyle());
        assertTrue(c.signPayload() && c.requireContentMd5());
        assertEquals(5L << 20, c.partSize());
        assertEquals(Optional.empty(), c.credentials(), "the default chain");
    }

    @Test
    void endpoint_defaultsToPathStyle_andGetsAScheme() {
        S3Config c = parse(Map.of(), "bucket", "b", "endpoint", "127.0.0.1:7070");
        assertEquals(URI.create("http://127.0.0.1:7070"), c.endpoint().orElseThrow());
        assertTrue(c.forcePathStyle());
        assertFalse(parse(Map.of(), "bucket", "b", "endpoint", "s3.example.com", "force-path-style", "false")
                .forcePathStyle());
    }

    @Test
    void region_fromTheKey_elseTheEnvironment() {
        assertEquals(Optional.of("eu-west-1"), parse(Map.of("AWS_REGION", "us-west-2"), "bucket", "b",
                "region", "eu-west-1").region());
        assertEquals(Optional.of("us-west-2"), parse(Map.of("AWS_REGION", "us-west-2"), "bucket", "b").region());
        assertEquals(Optional.of("ap-south-1"), parse(Map.of("AWS_DEFAULT_REGION", "ap-south-1"), "bucket", "b")
                .region());
    }

    @Test
    void credentials_keysWin_thenLitestreamVariablesOnlyWithoutAwsOnes() {
        assertEquals("AK", parse(Map.of(), "bucket", "b", "access-key-id", "AK", "secret-access-key", "SK")
                .credentials().orElseThrow().accessKeyId());
        Map<String, String> ls = Map.of("LITESTREAM_ACCESS_KEY_ID", "L", "LITESTREAM_SECRET_ACCESS_KEY", "LS");
        assertEquals("L", parse(ls, "bucket", "b").credentials().orElseThrow().accessKeyId());
        Map<String, String> both = new HashMap<>(ls);
        both.put("AWS_ACCESS_KEY_ID", "A");
        assertEquals(Optional.empty(), parse(both, "bucket", "b").credentials(), "AWS_* go to the default chain");
    }

    @Test
    void halfACredential_isRefusedWithoutShowingIt() {
        ConfigException e = fails("bucket", "b", "secret-access-key", "s3cr3t-value");
        assertTrue(e.getMessage().contains("'access-key-id'") && !e.getMessage().contains("s3cr3t-value"),
                e.getMessage());
    }

    @Test
    void toString_masksSecrets() {
        S3Config c = parse(Map.of(), "bucket", "b", "access-key-id", "AK", "secret-access-key", "s3cr3t-value",
                "sse-customer-key", KEY);
        assertFalse(c.toString().contains("s3cr3t-value") || c.toString().contains(KEY), c.toString());
        assertEquals(java.util.List.of("s3cr3t-value", KEY), c.secrets());
    }

    @Test
    void partSize_takesUpstreamsSizes_withinS3Limits() {
        assertEquals(8_000_000, parse(Map.of(), "bucket", "b", "part-size", "8MB").partSize());
        assertEquals(16L << 20, parse(Map.of(), "bucket", "b", "part-size", "16MiB").partSize());
        assertEquals(6_291_456, parse(Map.of(), "bucket", "b", "part-size", "6291456").partSize());
        ConfigException small = fails("bucket", "b", "part-size", "1MB");
        assertTrue(small.getMessage().contains("'part-size'") && small.getMessage().contains("'1MB'"),
                small.getMessage());
        ConfigException bad = fails("bucket", "b", "part-size", "lots");
        assertTrue(bad.getMessage().contains("got 'lots'"), bad.getMessage());
    }

    @Test
    void sseCustomerKey_isCheckedAndItsMd5Computed() { // MD5 checked with: base64 -d | openssl md5 -binary | base64
        S3Config c = parse(Map.of(), "bucket", "b", "sse-customer-key", KEY);
        assertEquals(Optional.of("AES256"), c.sse().customerAlgorithm());
        assertEquals(Optional.of("hRasmdxgYDKV3nvbahU1MA=="), c.sse().customerKeyMd5());
        ConfigException shortKey = fails("bucket", "b", "sse-customer-key", "c2hvcnQ=");
        assertTrue(shortKey.getMessage().contains("32 bytes") && !shortKey.getMessage().contains("c2hvcnQ="),
                shortKey.getMessage());
        assertTrue(fails("bucket", "b", "sse-customer-key", KEY, "sse-kms-key-id", "k").getMessage()
                .contains("mutually exclusive"));
        assertTrue(fails("bucket", "b", "sse-customer-key", KEY, "endpoint", "http://s3.example.com").getMessage()
                .contains("https"));
        assertEquals(Optional.of("alias/x"), parse(Map.of(), "bucket", "b", "sse-kms-key-id", "alias/x").sse()
                .kmsKeyId());
    }

    @Test
    void badValues_nameTheKeyAndValue() {
        assertTrue(fails("bucket", "b", "force-path-style", "maybe").getMessage()
                .contains("key 'force-path-style' must be true or false, got 'maybe'"));
        assertTrue(fails("bucket", "b/c").getMessage().contains("got 'b/c'"));
        assertTrue(fails("bucket", "b", "endpoint", "http://").getMessage().contains("key 'endpoint'"));
        assertTrue(fails("bucket", "b", "concurrency", "0").getMessage().contains("key 'concurrency'"));
        assertTrue(fails().getMessage().contains("missing required key 'bucket'"));
    }
}
