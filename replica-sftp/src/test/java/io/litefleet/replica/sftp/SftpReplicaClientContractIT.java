package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.ReplicaClientContract;
import io.litefleet.testkit.server.OpenSshd;
import io.litefleet.testkit.server.OpenSshdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replica client contract against Debian's OpenSSH sshd, started once for the class on 127.0.0.1. */
class SftpReplicaClientContractIT extends ReplicaClientContract {
    @RegisterExtension
    static final OpenSshdExtension SSHD = new OpenSshdExtension();

    @Override
    protected ReplicaClient openClient() {
        return SftpTestClients.keyClient(sshd());
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

    private static OpenSshd sshd() {
        return SSHD.server();
    }
}
