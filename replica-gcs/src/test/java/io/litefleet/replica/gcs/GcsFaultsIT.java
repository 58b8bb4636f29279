package io.litefleet.replica.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.testkit.ReplicaFaultContract;
import io.litefleet.testkit.server.FakeGcsServer;
import io.litefleet.testkit.server.ServerExtension;
import io.litefleet.testkit.server.FaultProxy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults against fake-gcs-server: stopped mid-upload and restarted, a storm of 503s (GCS's "back off"
 * answer) from the proxy, and connections reset mid-body. fake-gcs-server checks no credentials, so refused
 * credentials are GCS's own 401 answer ("Invalid Credentials") given by the proxy.
 */
class GcsFaultsIT extends ReplicaFaultContract {
    private static final String BUCKET = "faults";

    @RegisterExtension
    static final ServerExtension<FakeGcsServer> GCS = ServerExtension.fakeGcs(BUCKET);

    @Override
    protected int serverPort() {
        return GCS.get().port();
    }

    @Override
    protected void stopServer() {
        GCS.get().stop();
    }

    @Override
    protected void restartServer() throws Exception {
        GCS.get().restart();
        GCS.get().createBucket(BUCKET);
    }

    @Override
    protected ReplicaClient openClient(String hostPort) throws ReplicaException {
        return GcsReplicaClient.open(GcsSettings.of(Settings.of("test", Map.of("bucket", BUCKET)),
                Map.of(GcsSettings.ENV_EMULATOR, hostPort)), new GcsReplicaClient.Tuning(1 << 20, 1000, 100));
    }

    @Override
    protected ReplicaClient openRefusedClient(FaultProxy proxy) throws ReplicaException {
        proxy.answer(null, Integer.MAX_VALUE, 401, "authError"); // GCS: 401 "Invalid Credentials"
        return openClient(proxy.endpoint().getAuthority());
    }

    @Override
    protected Throttle throttle() {
        return new Throttle(503, "backendError"); // GCS's "retry with exponential backoff" answer
    }

    @Test
    void guardedPut_isNotRetriedByTheLibrary_afterItsCheck() throws Exception {
        // Create-only (ifGenerationMatch=0), as LTX files are written: idempotent, so the library would retry it.
        PutOptions guarded = PutOptions.createOnly().withOwner("host-a", 3).withGuard(new PutOptions.Guard() {
            @Override
            public void check() {
                // the session is valid when checked ...
            }

            @Override
            public long remainingNanos() {
                return TimeUnit.SECONDS.toNanos(5); // ... for a while: the commit request must not be retried later
            }
        });
        proxy().answer("POST", Integer.MAX_VALUE, 503, "backendError");
        try (ReplicaClient client = openClient(proxy().endpoint().getAuthority())) {
            assertThrows(ReplicaException.class, () -> client.put("guarded/k", ObjectBody.of(new byte[4096]),
                    guarded));
            assertEquals(1, proxy().count("POST", "uploadType"), "one request: " + proxy().requests());
            assertThrows(ReplicaException.class, () -> client.put("plain/k", ObjectBody.of(new byte[4096]),
                    PutOptions.createOnly()));
            assertEquals(1 + 3, proxy().count("POST", "uploadType"), "an unguarded put keeps the library's retries: "
                    + proxy().requests());
        }
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(); // no secret in the destination: credentials come from the environment
    }
}
