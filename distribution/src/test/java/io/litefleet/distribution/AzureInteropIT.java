package io.litefleet.distribution;

import io.litefleet.testkit.server.Azurite;
import io.litefleet.testkit.server.ServerExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CloudInterop} on Azurite. Both tools reach it through the config form with {@code endpoint:} (upstream's
 * URL form has no endpoint), authorized by the account key, which nothing Litefleet prints may show.
 */
class AzureInteropIT extends CloudInterop {
    private static final String CONTAINER = "interop";

    @RegisterExtension
    static final ServerExtension<Azurite> AZURITE = ServerExtension.azurite(CONTAINER);

    @Override
    protected String serverHostPort() {
        return "127.0.0.1:" + AZURITE.get().port();
    }

    @Override
    protected Map<String, String> replica(String path, String hostPort) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", "abs");
        m.put("account-name", AZURITE.get().accountName());
        m.put("account-key", AZURITE.get().accountKey());
        m.put("bucket", CONTAINER);
        m.put("path", path);
        m.put("endpoint", "http://" + hostPort + "/" + AZURITE.get().accountName());
        return m;
    }

    @Override
    protected Map<String, String> environment(String hostPort) {
        return Map.of();
    }

    @Override
    protected String destination() {
        return "abs://" + AZURITE.get().accountName() + "@" + CONTAINER;
    }

    @Override
    protected Optional<String> url(String path) {
        return Optional.empty();
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(AZURITE.get().accountKey());
    }
}
