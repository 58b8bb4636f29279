package io.litefleet.replica.sftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.UserAuthFactory;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * Apache MINA SSHD in the test JVM on 127.0.0.1: password logins for one user, SFTP confined to a directory. Used
 * where Debian's sshd cannot help without a real account (password and keyboard-interactive logins).
 */
final class MinaSftpServer implements AutoCloseable {
    private final SshServer server;
    private final Path root;
    private final String hostKeyLine;

    private MinaSftpServer(SshServer server, Path root, String hostKeyLine) {
        this.server = server;
        this.root = root;
        this.hostKeyLine = hostKeyLine;
    }

    /**
     * Starts a server accepting {@code user}/{@code password} through the given login methods.
     *
     * @param methods MINA's server-side methods, for example {@code UserAuthPasswordFactory.INSTANCE}
     */
    static MinaSftpServer start(Path dir, String user, String password, List<UserAuthFactory> methods)
            throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(dir.resolve("host.ser"));
        KeyPair hostKey = keys.loadKeys(null).iterator().next();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(keys);
        server.setPasswordAuthenticator((u, p, session) -> user.equals(u) && password.equals(p));
        server.setUserAuthFactories(methods);
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.start();
        return new MinaSftpServer(server, root, PublicKeyEntry.toString(hostKey.getPublic()));
    }

    /** {@code 127.0.0.1:port}. */
    String hostPort() {
        return "127.0.0.1:" + server.getPort();
    }

    /** The directory logins see as their SFTP root. */
    Path root() {
        return root;
    }

    /** The host key as an {@code authorized_keys}-style line, for the {@code host-key} setting. */
    String hostKeyLine() {
        return hostKeyLine;
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
