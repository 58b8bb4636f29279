package io.litefleet.replica.s3;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.server.VersityGw;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** Clients of the tests' versitygw, made through the provider as the engine makes them. */
final class S3Clients {
    private S3Clients() {
    }

    /** A client for {@code bucket} on {@code gw}, with its credentials. */
    static ReplicaClient open(VersityGw gw, String bucket) {
        return open(gw.endpoint(), bucket, gw.accessKey(), gw.secretKey(), Map.of());
    }

    /** A client for {@code bucket} at {@code endpoint} (a proxy, say) with the given credentials and extra keys. */
    static ReplicaClient open(URI endpoint, String bucket, String accessKey, String secretKey,
                              Map<String, String> extra) {
        Map<String, Object> s = new HashMap<String, Object>(Map.of("bucket", bucket, "endpoint", endpoint.toString(),
                "region", VersityGw.REGION, "access-key-id", accessKey, "secret-access-key", secretKey));
        s.putAll(extra);
        return new S3ReplicaClientProvider().create(Settings.of("test", s));
    }
}
