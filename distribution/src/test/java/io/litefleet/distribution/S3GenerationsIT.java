package io.litefleet.distribution;

import io.litefleet.testkit.server.VersityGw;
import io.litefleet.testkit.server.VersityGwExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link GenerationsInterop} on versitygw: v0.3.13's S3 client with a path-style endpoint. */
class S3GenerationsIT extends GenerationsInterop {
    private static final String BUCKET = "generations";

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    @Override
    protected Map<String, String> replica(String path) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", "s3");
        m.put("bucket", BUCKET);
        m.put("path", path);
        m.put("endpoint", S3.gw().endpoint().toString());
        m.put("region", VersityGw.REGION);
        m.put("force-path-style", "true");
        return m;
    }

    @Override
    protected Map<String, String> environment() {
        return S3.gw().childEnvironment();
    }
}
