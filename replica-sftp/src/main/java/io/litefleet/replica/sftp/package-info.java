/**
 * The sftp replica backend on sshj: {@link io.litefleet.replica.sftp.SftpReplicaClientProvider} (URLs, config keys),
 * {@code SftpReplicaClient} (atomic writes, listing, pipelined reads and deletes), {@code SftpSession} (one pooled
 * connection per destination, reconnecting), {@code HostKeyPolicy} (known_hosts and {@code host-key} checking).
 */
package io.litefleet.replica.sftp;
