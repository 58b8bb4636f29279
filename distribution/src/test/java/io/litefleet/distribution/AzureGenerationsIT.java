package io.litefleet.distribution;

import io.litefleet.testkit.server.Azurite;
import io.litefleet.testkit.server.ServerExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link GenerationsInterop} on Azurite, through the config form with {@code endpoint:} (v0.3.13 has the key). */
class AzureGenerationsIT extends GenerationsInterop {
    private static final String CONTAINER = "generations";

    @RegisterExtension
    static final ServerExtension<Azurite> AZURITE = ServerExtension.azurite(CONTAINER);

    @Override
    protected Map<String, String> replica(String path) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", "abs");
        m.put("account-name", AZURITE.get().accountName());
        m.put("account-key", AZURITE.get().accountKey());
        m.put("bucket", CONTAINER);
        m.put("path", path);
        m.put("endpoint", "http://127.0.0.1:" + AZURITE.get().port() + "/" + AZURITE.get().accountName());
        return m;
    }

    @Override
    protected boolean stockRestoresV3() {
        return false; // v0.5.16's abs client has no v0.3 reader
    }
}
