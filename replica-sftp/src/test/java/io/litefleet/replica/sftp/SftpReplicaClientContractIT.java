package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.ReplicaClientContract;
import io.litefleet.testkit.server.OpenSshd;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The replica client contract against Debian's OpenSSH sshd, started once for the class on 127.0.0.1. */
class SftpReplicaClientContractIT extends ReplicaClientContract {
    @TempDir
    static Path dir;
    private static OpenSshd sshd;

    @BeforeAll
    static void startServer() throws Exception {
        sshd = OpenSshd.start(dir.resolve("sshd"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Override
    protected ReplicaClient openClient() {
        return SftpTestClients.keyClient(sshd);
    }

    @Override
    protected boolean supports(Capability capability) {
        return capability == Capability.CONDITIONAL_CREATE;
    }

    @Override
    protected String unsupportedReason(Capability capability) {
        return switch (capability) {
            case USER_METADATA -> "SFTP files carry no user metadata";
            case TIMESTAMP -> "SFTP v3 carries modification times in whole seconds: the litestream-timestamp becomes the "
                    + "file's mtime truncated to the second, as upstream's sftp client does (SftpReplicaClientIT checks "
                    + "that)";
            case CONDITIONAL_CREATE -> "supported";
        };
    }
}
