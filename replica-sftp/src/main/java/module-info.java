/** The sftp replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
module io.litefleet.replica.sftp {
    requires io.litefleet.api;
    requires com.hierynomus.sshj;
    requires java.logging;

    provides io.litefleet.api.replica.ReplicaClientProvider with io.litefleet.replica.sftp.SftpReplicaClientProvider;
}
