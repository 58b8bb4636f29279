package io.litefleet.replica.azure;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.ReplicaFaultContract;
import io.litefleet.testkit.server.Azurite;
import io.litefleet.testkit.server.ServerExtension;
import io.litefleet.testkit.server.FaultProxy;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
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

    @Override
    protected Set<String> secrets() {
        return Set.of(AZURITE.get().accountKey(), WRONG_KEY);
    }
}
