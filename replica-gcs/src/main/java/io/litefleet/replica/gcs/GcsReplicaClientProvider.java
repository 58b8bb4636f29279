package io.litefleet.replica.gcs;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The Google Cloud Storage backend, type and scheme {@code gs} as upstream names it, in upstream's
 * {@code <path>/ltx/<level>/} layout. URL: {@code gs://bucket/path} (upstream {@code gs/replica_client.go}), giving
 * the destination {@code {bucket}}; credentials and an emulator come from the environment (see
 * {@link GcsSettings}). This plugin has no module descriptor (google-cloud-storage cannot be a named module) and is
 * found through {@code META-INF/services}. Stateless.
 */
public final class GcsReplicaClientProvider implements ReplicaClientProvider {
    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public GcsReplicaClientProvider() {
    }

    @Override
    public String type() {
        return "gs";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("gs");
    }

    /** Upstream's gs keys: {@code bucket} and {@code path} (credentials come from the environment). */
    @Override
    public Set<String> keys() {
        return Set.of(GcsSettings.BUCKET, "path");
    }

    @Override
    public ReplicaLayout layout() {
        return ReplicaLayout.LTX_DIRS;
    }

    @Override
    public UrlTarget parseUrl(URI url) {
        if (!"gs".equalsIgnoreCase(url.getScheme())) {
            throw new ConfigException("replica URL '" + url + "' is not a gs:// URL");
        }
        String bucket = url.getRawAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw new ConfigException("replica URL '" + url + "' names no bucket: gs://bucket/path");
        }
        if (bucket.contains("@") || bucket.contains(":")) {
            throw new ConfigException("replica URL '" + url + "': '" + bucket + "' is not a bucket name");
        }
        ReplicaUrl.rejectFragment(url);
        ReplicaUrl.rejectQuery(url);
        return new UrlTarget(Map.of("bucket", bucket), UrlTarget.cleanPath(url.getPath()));
    }

    /**
     * Opens a client: with {@code STORAGE_EMULATOR_HOST} set, for that emulator without credentials; otherwise with
     * the application default credentials, failing with {@link io.litefleet.api.replica.ReplicaFailure#AUTH} when
     * there are none.
     */
    @Override
    public ReplicaClient create(Settings settings) throws ReplicaException {
        return GcsReplicaClient.open(GcsSettings.of(settings, System.getenv()), GcsReplicaClient.Tuning.DEFAULT);
    }
}
