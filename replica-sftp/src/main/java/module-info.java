/** The sftp replica plugin: provides a {@code ReplicaClientProvider}; exports nothing. */
module io.litefleet.replica.sftp {
    requires io.litefleet.api;
    requires com.hierynomus.sshj;
}
