package io.litefleet.replica.s3;

import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.ReplicaClientContract;
import io.litefleet.testkit.server.VersityGwExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole contract against a real S3 server: versitygw on 127.0.0.1, started once for the class. */
class S3ReplicaClientContractIT extends ReplicaClientContract {
    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension("contract");

    @Override
    protected ReplicaClient openClient() {
        return S3Clients.open(S3.gw(), "contract");
    }
}
