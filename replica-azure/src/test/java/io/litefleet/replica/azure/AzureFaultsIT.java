package io.litefleet.replica.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.ReplicaFaultContract;
import io.litefleet.testkit.server.Azurite;
import io.litefleet.testkit.server.ServerExtension;
import io.litefleet.testkit.server.FaultProxy;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults against Azurite: stopped mid-upload (SIGTERM, then SIGKILL) and restarted, a storm of 503 ServerBusy (as
 * Azure throttles) from the proxy, connections reset mid-body, and a wrong account key, which Azurite refuses as
 * Azure does.
 */
class AzureFaultsIT extends ReplicaFaultContract {
    private static final String CONTAINER = "faults";
    private static final String WRONG_KEY = Base64.getEncoder().encodeToString(new byte[64]);

    @RegisterExtension
    static final ServerExtension<Azurite> AZURITE = ServerExtension.azurite(CONTAINER);

    @Override
    protected int serverPort() {
        return AZURITE.get().port();
    }

    @Override
    protected void stopServer() {
        AZURITE.get().stop();
    }

    @Override
    protected void restartServer() throws Exception {
        AZURITE.get().restart();
        AZURITE.get().createContainer(CONTAINER); // Azurite may not have saved it before SIGKILL
    }

    private static ReplicaClient client(String hostPort, String key) {
        return AzureReplicaClient.open(AzureSettings.of(Settings.of("test", Map.of("bucket", CONTAINER,
                "account-name", AZURITE.get().accountName(), "account-key", key,
                "endpoint", "http://" + hostPort + "/" + AZURITE.get().accountName())), Map.of()),
                new AzureReplicaClient.Tuning(1 << 20, 5000, 16));
    }

    @Override
    protected ReplicaClient openClient(String hostPort) {
        return client(hostPort, AZURITE.get().accountKey());
    }

    @Override
    protected ReplicaClient openRefusedClient(FaultProxy proxy) {
        return client("127.0.0.1:" + AZURITE.get().port(), WRONG_KEY); // Azurite itself refuses the key
    }

    @Override
    protected Throttle throttle() {
        return new Throttle(503, "ServerBusy"); // Azure's throttling answer (Storage scalability targets)
    }

    @Test
    void put_guardWithLittleValidityLeft_boundsTheCommitCall_retriesIncluded() throws Exception {
        PutOptions options = PutOptions.DEFAULT.withOwner("host-a", 3).withGuard(new PutOptions.Guard() {
            @Override
            public void check() {
                // the session is valid when checked ...
            }

            @Override
            public long remainingNanos() {
                return TimeUnit.MILLISECONDS.toNanos(300); // ... for 300 ms more
            }
        });
        FaultProxy.Hold hold = proxy().holdRequestBody("PUT", 10); // the Put Blob hangs on the wire
        try (ReplicaClient client = openClient(proxy().endpoint().getAuthority())) {
            CompletableFuture<ObjectInfo> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.put("bounded/k", ObjectBody.of(new byte[4096]), options);
                } catch (ReplicaException e) {
                    throw new CompletionException(e);
                }
            });
            try {
                assertTrue(hold.awaitHeld(Duration.ofSeconds(30)), "the upload was sent");
                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> put.get(10, TimeUnit.SECONDS), "the call ended by the bound");
                assertInstanceOf(ReplicaException.class, failure.getCause());
            } finally {
                hold.release();
            }
        }
        assertEquals(1, proxy().count("PUT", "bounded"), "not retried after the bound: " + proxy().requests());
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(AZURITE.get().accountKey(), WRONG_KEY);
    }
}
