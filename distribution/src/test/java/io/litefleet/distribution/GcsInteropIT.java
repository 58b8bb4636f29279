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
    protected String serverHostPort() {
        return GCS.get().emulatorHost();
    }

    @Override
    protected Map<String, String> replica(String path, String hostPort) {
        return Map.of("type", "gs", "bucket", BUCKET, "path", path);
    }

    @Override
    protected Map<String, String> environment(String hostPort) {
        return Map.of("STORAGE_EMULATOR_HOST", hostPort);
    }

    @Override
    protected String destination() {
        return "gs://" + BUCKET;
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
