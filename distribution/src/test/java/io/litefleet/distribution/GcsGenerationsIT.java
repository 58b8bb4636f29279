package io.litefleet.distribution;

import io.litefleet.testkit.server.FakeGcsServer;
import io.litefleet.testkit.server.ServerExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link GenerationsInterop} on fake-gcs-server, which all three tools reach through {@code STORAGE_EMULATOR_HOST}.
 */
class GcsGenerationsIT extends GenerationsInterop {
    private static final String BUCKET = "generations";

    @RegisterExtension
    static final ServerExtension<FakeGcsServer> GCS = ServerExtension.fakeGcs(BUCKET);

    @Override
    protected Map<String, String> replica(String path) {
        return Map.of("type", "gs", "bucket", BUCKET, "path", path);
    }

    @Override
    protected Map<String, String> v3Replica(String path) {
        return Map.of("type", "gcs", "bucket", BUCKET, "path", path); // v0.3.13 spells the type gcs
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("STORAGE_EMULATOR_HOST", GCS.get().emulatorHost());
    }

    @Override
    protected boolean stockRestoresV3() {
        return false; // v0.5.16's gs client has no v0.3 reader
    }
}
