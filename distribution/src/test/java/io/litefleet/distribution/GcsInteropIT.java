package io.litefleet.distribution;

import io.litefleet.testkit.server.FakeGcsServer;
import io.litefleet.testkit.server.ServerExtension;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CloudInterop} on fake-gcs-server, which both tools reach through {@code STORAGE_EMULATOR_HOST} (upstream's
 * Go client reads it; so does Litefleet's gs plugin), in the config form and the {@code gs://} URL form.
 */
class GcsInteropIT extends CloudInterop {
    private static final String BUCKET = "interop";

    @RegisterExtension
    static final ServerExtension<FakeGcsServer> GCS = ServerExtension.fakeGcs(BUCKET);

    @Override
    protected Map<String, String> replica(String path) {
        return Map.of("type", "gs", "bucket", BUCKET, "path", path);
    }

    @Override
    protected Map<String, String> environment() {
        return Map.of("STORAGE_EMULATOR_HOST", GCS.get().emulatorHost());
    }

    @Override
    protected Optional<String> url(String path) {
        return Optional.of("gs://" + BUCKET + "/" + path);
    }

    @Override
    protected Set<String> secrets() {
        return Set.of();
    }
}
