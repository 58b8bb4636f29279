package io.litefleet.core.file;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.ReplicaClientContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class FileReplicaClientContractTest extends ReplicaClientContract {
    @TempDir
    Path dir;

    @Override
    protected ReplicaClient openClient() throws Exception {
        return new FileReplicaClientProvider().create(Settings.of("test", Map.of("root", dir.resolve("replica")
                .toString())));
    }

    @Override
    protected boolean supports(Capability capability) {
        return capability != Capability.USER_METADATA;
    }

    @Override
    protected String unsupportedReason(Capability capability) {
        return "files carry no metadata; upstream's file backend keeps only the timestamp, as the mtime";
    }
}
