package io.litefleet.replica.s3;

import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.server.FaultProxy;
import io.litefleet.testkit.server.VersityGw;
import io.litefleet.testkit.server.VersityGwExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tests of an S3 client that talks to versitygw (one per class, bucket {@link #BUCKET}) through a fresh
 * {@link FaultProxy} per test, so each test sees (and may break) the requests on the wire.
 */
abstract class ProxiedS3Test {
    static final String BUCKET = "proxied";
    static final int MIB = 1 << 20;

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    FaultProxy proxy;
    ReplicaClient client;

    /** Extra destination keys for the client under test. */
    Map<String, String> settings() {
        return Map.of();
    }

    static VersityGw gw() {
        return S3.gw();
    }

    @BeforeEach
    void openProxiedClient() throws Exception {
        if (!gw().isRunning()) {
            gw().restart(); // a test that stopped it failed before bringing it back
        }
        proxy = FaultProxy.open(gw().endpoint());
        client = S3Clients.open(proxy.endpoint(), BUCKET, gw().accessKey(), gw().secretKey(), settings());
    }

    @AfterEach
    void closeProxiedClient() {
        client.close();
        proxy.close();
    }
}
