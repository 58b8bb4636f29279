package io.litefleet.distribution;

import io.litefleet.testkit.server.OpenSshd;
import io.litefleet.testkit.server.OpenSshdExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link GenerationsInterop} on Debian's sshd: key login; v0.5.16 and Litefleet pin the host key, v0.3.13 has no
 * {@code host-key} key (its section leaves it out).
 */
class SftpGenerationsIT extends GenerationsInterop {
    @RegisterExtension
    static final OpenSshdExtension SSHD = new OpenSshdExtension();

    @Override
    protected Map<String, String> replica(String path) {
        Map<String, String> m = v3Replica(path);
        m.put("host-key", "\"" + SSHD.server().hostKeyLine() + "\"");
        return m;
    }

    @Override
    protected Map<String, String> v3Replica(String path) {
        OpenSshd sshd = SSHD.server();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", "sftp");
        m.put("host", sshd.hostPort());
        m.put("user", sshd.user());
        m.put("key-path", sshd.clientKey().toString());
        m.put("path", path);
        return m;
    }

    @Override
    protected boolean stockRestoresV3() {
        return false; // v0.5.16's sftp client has no v0.3 reader
    }
}
