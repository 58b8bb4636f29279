package io.litefleet.replica.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.server.FaultProxy;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Faults between the S3 client and versitygw (issue 10, item 11, S3 part), through a fault-injecting loopback proxy
 * or the server's own stop: the client reports the kind the engine's retry acts on, names the object, never shows
 * the secret, and never leaves a partial object where a listing would find it.
 */
class S3FaultIT extends ProxiedS3Test {
    @Test
    void slowDownStorm_isThrottled_thenPasses() throws Exception {
        proxy.answer(null, 1_000, 503, "SlowDown");
        ReplicaException put = expect(ReplicaFailure.THROTTLED, "storm/k",
                () -> client.put("storm/k", ObjectBody.of(new byte[100]), PutOptions.DEFAULT));
        expect(ReplicaFailure.THROTTLED, "storm/", () -> client.list("storm/"));
        expect(ReplicaFailure.THROTTLED, "storm/k", () -> client.get("storm/k"));
        assertTrue(proxy.requests().size() >= 6, "the SDK retried each call: " + proxy.requests());
        proxy.clear();
        client.put("storm/k", ObjectBody.of(new byte[100]), PutOptions.DEFAULT);
        assertEquals(List.of("storm/k"), keys("storm/"), "after the storm: " + put.getMessage());
    }

    @Test
    void tooManyRequests_isThrottled() throws Exception {
        proxy.answer("GET", 1_000, 429, "TooManyRequests");
        expect(ReplicaFailure.THROTTLED, "x/", () -> client.list("x/"));
    }

    @Test
    void connectionDroppedMidBody_once_isRetriedAndTheObjectIsWhole() throws Exception {
        byte[] data = S3ReplicaClientIT.bytes(11, MIB);
        proxy.cutRequestBody("PUT", 1, 100_000);
        client.put("drop1/k", ObjectBody.of(data), PutOptions.DEFAULT);
        assertEquals(2, proxy.count("PUT", "drop1/k"), "one cut attempt, one retry: " + proxy.requests());
        try (InputStream in = client.get("drop1/k")) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void connectionDroppedMidBody_everyAttempt_isUnavailable_andNothingIsListed() throws Exception {
        proxy.cutRequestBody("PUT", 1_000, 100_000);
        expect(ReplicaFailure.UNAVAILABLE, "dropall/small",
                () -> client.put("dropall/small", ObjectBody.of(new byte[MIB]), PutOptions.DEFAULT));
        expect(ReplicaFailure.UNAVAILABLE, "dropall/large",
                () -> client.put("dropall/large", ObjectBody.of(new byte[6 * MIB]), PutOptions.DEFAULT));
        assertEquals(1, proxy.count("DELETE", "uploadId="), "the multipart upload was aborted: " + proxy.requests());
        assertEquals(List.of(), keys("dropall/"));
        assertTrue(client.stat("dropall/small").isEmpty() && client.stat("dropall/large").isEmpty());
    }

    @Test
    void connectionDroppedMidDownload_failsReadingNamingTheObject() throws Exception {
        client.put("dl/k", ObjectBody.of(new byte[200_000]), PutOptions.DEFAULT);
        proxy.cutResponseBody("GET", 1, 50_000);
        ReplicaException e = assertThrows(ReplicaException.class, () -> {
            try (InputStream in = client.get("dl/k")) {
                in.readAllBytes();
            }
        });
        assertEquals(ReplicaFailure.UNAVAILABLE, e.failure(), e.getMessage());
        assertNamesObjectNotSecret(e, "dl/k");
    }

    @Test
    void serverStoppedMidUpload_isUnavailable_leavesNothing_andTheNextPutSucceeds() throws Exception {
        byte[] data = S3ReplicaClientIT.bytes(12, 3 * MIB);
        FaultProxy.Hold hold = proxy.holdRequestBody("PUT", MIB);
        CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
            try {
                client.put("down/k", ObjectBody.of(data), PutOptions.DEFAULT);
            } catch (ReplicaException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertTrue(hold.awaitHeld(Duration.ofSeconds(60)), "the upload reached the proxy");
        gw().stop();
        hold.release();
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> upload.get(120, TimeUnit.SECONDS)).getCause();
        ReplicaException e = (ReplicaException) failure;
        assertEquals(ReplicaFailure.UNAVAILABLE, e.failure(), e.getMessage());
        assertNamesObjectNotSecret(e, "down/k");
        expect(ReplicaFailure.UNAVAILABLE, "down/", () -> client.list("down/"));
        gw().restart();
        assertEquals(List.of(), keys("down/"), "no partial object after the server came back");
        client.put("down/k", ObjectBody.of(data), PutOptions.DEFAULT);
        try (InputStream in = client.get("down/k")) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void serverDown_connectionRefused_isUnavailable() throws Exception {
        proxy.down();
        expect(ReplicaFailure.UNAVAILABLE, "gone/k", () -> client.stat("gone/k"));
        proxy.up();
        assertTrue(client.stat("gone/k").isEmpty());
    }

    @Test
    void wrongSecret_isAuth_andNoMessageCarriesIt() throws Exception {
        String wrong = "wrong-secret-" + System.nanoTime();
        try (ReplicaClient bad = S3Clients.open(proxy.endpoint(), BUCKET, gw().accessKey(), wrong, Map.of())) {
            ReplicaException put = expect(ReplicaFailure.AUTH, "auth/k",
                    () -> bad.put("auth/k", ObjectBody.of(new byte[10]), PutOptions.DEFAULT));
            assertFalse(trace(put).contains(wrong), "the secret leaked: " + trace(put));
            expect(ReplicaFailure.AUTH, "auth/", () -> bad.list("auth/"));
            expect(ReplicaFailure.AUTH, "auth/k", () -> bad.get("auth/k"));
        }
        try (ReplicaClient unknown = S3Clients.open(proxy.endpoint(), BUCKET, "NOSUCHKEY", wrong, Map.of())) {
            expect(ReplicaFailure.AUTH, "auth/", () -> unknown.list("auth/"));
        }
    }

    @Test
    void revokedCredentials_areAuth_untilTheServerTakesThemAgain() throws Exception {
        String original = gw().secretKey();
        client.put("revoked/k", ObjectBody.of(new byte[10]), PutOptions.DEFAULT);
        try {
            gw().restartWithSecret("rotated-" + System.nanoTime());
            ReplicaException e = expect(ReplicaFailure.AUTH, "revoked/k",
                    () -> client.put("revoked/k", ObjectBody.of(new byte[10]), PutOptions.DEFAULT));
            assertFalse(trace(e).contains(gw().secretKey()), "neither secret shows");
        } finally {
            gw().restartWithSecret(original);
        }
        assertEquals(List.of("revoked/k"), keys("revoked/"));
    }

    @Test
    void deleteObjects_perKeyErrors_areReportedByKey_andAbsentKeysAreFine() throws Exception {
        proxy.answer("POST", 1, 200, "OK", """
                <?xml version="1.0" encoding="UTF-8"?>
                <DeleteResult>
                  <Error><Key>del/locked</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
                  <Error><Key>del/gone</Key><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>
                </DeleteResult>""");
        ReplicaException e = expect(ReplicaFailure.AUTH, "",
                () -> client.delete(List.of("del/locked", "del/gone", "del/fine")));
        assertTrue(e.getMessage().contains("1 of 3 keys were not deleted: del/locked (AccessDenied: Access Denied)"),
                e.getMessage());
        assertFalse(e.getMessage().contains("del/gone"), "an absent key is not an error: " + e.getMessage());
    }

    @Test
    void missingBucket_isNotFound_namingIt() throws Exception {
        try (ReplicaClient none = S3Clients.open(proxy.endpoint(), "no-such-bucket", gw().accessKey(), gw().secretKey(),
                Map.of())) {
            ReplicaException e = assertThrows(ReplicaException.class,
                    () -> none.put("k", ObjectBody.of(new byte[1]), PutOptions.DEFAULT));
            assertEquals(ReplicaFailure.NOT_FOUND, e.failure(), e.getMessage());
            assertTrue(e.getMessage().contains("s3://no-such-bucket/k"), e.getMessage());
        }
    }

    private List<String> keys(String prefix) throws ReplicaException {
        return client.list(prefix).stream().map(io.litefleet.api.replica.ObjectInfo::key).toList();
    }

    private static ReplicaException expect(ReplicaFailure kind, String key, Executable call) {
        ReplicaException e = assertThrows(ReplicaException.class, call);
        System.out.println("expected failure: " + e.getMessage()); // what a user would read, for the report
        assertEquals(kind, e.failure(), e.getMessage());
        assertNamesObjectNotSecret(e, key);
        return e;
    }

    private static void assertNamesObjectNotSecret(ReplicaException e, String key) {
        assertTrue(e.getMessage().contains("'s3://" + BUCKET + (key.isEmpty() ? "" : "/" + key) + "'"),
                "names the object: "
                + e.getMessage());
        assertFalse(trace(e).contains(gw().secretKey()), "the secret leaked: " + trace(e));
    }

    /** The message and stack trace with every cause, as a log would print them. */
    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
