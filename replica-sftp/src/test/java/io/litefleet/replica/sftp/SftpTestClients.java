package io.litefleet.replica.sftp;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.testkit.server.OpenSshd;
import java.util.LinkedHashMap;
import java.util.Map;

/** Clients of a test server: key login, host key from the server's own known_hosts line. */
final class SftpTestClients {
    private SftpTestClients() {
    }

    /** The settings of a key-login client of {@code sshd}, plus {@code extra} (which may replace any of them). */
    static Map<String, Object> keySettings(OpenSshd sshd, Map<String, Object> extra) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("host", sshd.hostPort());
        s.put("user", sshd.user());
        s.put("key-path", sshd.clientKey().toString());
        s.put("known-hosts-path", sshd.knownHosts().toString());
        s.putAll(extra);
        return s;
    }

    /** A key-login client of {@code sshd}. */
    static ReplicaClient keyClient(OpenSshd sshd) {
        return client(keySettings(sshd, Map.of()));
    }

    /** A client with these settings. */
    static ReplicaClient client(Map<String, Object> settings) {
        return new SftpReplicaClientProvider().create(Settings.of("test", settings));
    }
}
