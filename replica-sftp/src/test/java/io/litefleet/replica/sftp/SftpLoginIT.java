package io.litefleet.replica.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.testkit.LogCapture;
import io.litefleet.testkit.server.OpenSshd;
import io.litefleet.testkit.server.OpenSshdExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Host key checking and key logins against Debian's OpenSSH sshd (one per class). */
class SftpLoginIT {
    @RegisterExtension
    static final OpenSshdExtension SSHD = new OpenSshdExtension();
    @TempDir
    Path work;

    @Test
    void unknownHost_isRefusedAsAuth_namingHostAndTheFingerprintSshKeygenPrints() throws Exception {
        Path empty = Files.createFile(work.resolve("known_hosts"));
        ReplicaException e = refused(Map.of("known-hosts-path", empty.toString()));
        String m = e.getMessage();
        assertTrue(m.contains("unknown host " + sshd().hostPort()), m);
        assertTrue(m.contains("ssh-ed25519 " + sshd().hostKeyFingerprint()), "fingerprint as ssh-keygen -lf: " + m);
        assertTrue(m.contains("is not in " + empty), m);
        assertTrue(m.contains("ssh-keyscan -p " + sshd().port() + " 127.0.0.1 >> " + empty), m);
        assertTrue(m.startsWith("AUTH: sftp://" + sshd().user() + "@" + sshd().hostPort() + ": "), m);
    }

    @Test
    void changedHostKey_isRefused_sayingItDoesNotMatchTheRecordedOne() throws Exception {
        Path other = sshd().newClientKey("impostor", "", false);
        Path kh = Files.writeString(work.resolve("known_hosts"), "[127.0.0.1]:" + sshd().port() + " "
                + Files.readString(Path.of(other + ".pub")));
        String m;
        try (LogCapture sshj = LogCapture.open("net.schmizz")) {
            m = refused(Map.of("known-hosts-path", kh.toString())).getMessage();
            assertTrue(sshj.count("has changed") > 0, "sshj's own warning reaches java.util.logging: "
                    + sshj.lines());
        }
        assertTrue(m.contains("does not match the key recorded in " + kh), m);
        assertTrue(m.contains(sshd().hostKeyFingerprint()) && m.contains("intercepting"), m);
    }

    @Test
    void hostKeySetting_isEnoughWithoutKnownHosts_andAnotherKeyIsRefused() throws Exception {
        Path empty = Files.createFile(work.resolve("known_hosts"));
        try (ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), Map.of("known-hosts-path",
                empty.toString(), "host-key", sshd().hostKeyLine())))) {
            assertEquals(List.of(), c.list("nothing/"));
        }
        Path other = sshd().newClientKey("not-the-host", "", false);
        String m = refused(Map.of("known-hosts-path", empty.toString(), "host-key",
                Files.readString(Path.of(other + ".pub")))).getMessage();
        assertTrue(m.contains("does not match 'host-key'"), m);
    }

    @Test
    void knownHostsUpdatedAfterARefusal_isReadAtTheNextConnection() throws Exception {
        Path kh = Files.createFile(work.resolve("known_hosts"));
        try (ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), Map.of("known-hosts-path",
                kh.toString())))) {
            assertEquals(ReplicaFailure.AUTH, assertThrows(ReplicaException.class, () -> c.list("")).failure());
            Files.copy(sshd().knownHosts(), kh, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals(List.of(), c.list("nothing/"));
        }
    }

    @Test
    void insecureOptOut_connectsToAnUnknownHost_andWarnsNamingTheKey() throws Exception {
        Path empty = Files.createFile(work.resolve("known_hosts"));
        try (LogCapture log = LogCapture.open("io.litefleet.replica.sftp");
             ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), Map.of("known-hosts-path",
                     empty.toString(), "insecure-ignore-host-key", "true")))) {
            assertEquals(List.of(), c.list("nothing/"));
            String fingerprint = sshd().hostKeyFingerprint();
            List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARNING")).toList();
            assertTrue(warnings.stream().anyMatch(l -> l.contains("insecure-ignore-host-key is true")), "at create: "
                    + warnings);
            assertTrue(warnings.stream().anyMatch(l -> l.contains(fingerprint)
                    && l.contains(sshd().hostPort())), "at connect: " + warnings);
        }
    }

    @Test
    void defaultKnownHosts_isTheUsersOwn() throws Exception {
        Path home = work.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        Files.copy(sshd().knownHosts(), home.resolve(".ssh/known_hosts"));
        String before = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try (ReplicaClient c = SftpTestClients.client(Map.of("host", sshd().hostPort(), "user", sshd().user(),
                "key-path", sshd().clientKey().toString()))) {
            assertEquals(List.of(), c.list("nothing/"));
        } finally {
            System.setProperty("user.home", before);
        }
    }

    @Test
    void keyTheServerDoesNotKnow_isRefusedAsAuth_namingUserAndMethod() throws Exception {
        Path stranger = sshd().newClientKey("stranger", "", false);
        String m = refused(Map.of("key-path", stranger.toString())).getMessage();
        assertTrue(m.contains("the server refused to log in '" + sshd().user() + "' with publickey"), m);
    }

    @Test
    void encryptedKey_logsInWithItsPassphrase_andAWrongOneIsAConfigErrorThatHidesIt() throws Exception {
        String passphrase = "correct horse battery staple";
        Path key = sshd().newClientKey("encrypted", passphrase, true);
        try (ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), Map.of("key-path",
                key.toString(), "key-passphrase", passphrase)))) {
            assertEquals(List.of(), c.list("nothing/"));
        }
        ConfigException wrong = assertThrows(ConfigException.class, () -> SftpTestClients.client(
                SftpTestClients.keySettings(sshd(), Map.of("key-path", key.toString(), "key-passphrase",
                        "horse staple battery"))));
        assertTrue(wrong.getMessage().contains("'key-path'") && wrong.getMessage().contains(key.toString()),
                wrong.getMessage());
        assertFalse(wrong.getMessage().contains("horse staple"), wrong.getMessage());
        ConfigException none = assertThrows(ConfigException.class, () -> SftpTestClients.client(
                SftpTestClients.keySettings(sshd(), Map.of("key-path", key.toString()))));
        assertTrue(none.getMessage().contains("set 'key-passphrase'"), none.getMessage());
    }

    private ReplicaException refused(Map<String, Object> settings) {
        try (ReplicaClient c = SftpTestClients.client(SftpTestClients.keySettings(sshd(), settings))) {
            ReplicaException e = assertThrows(ReplicaException.class, () -> c.list(""));
            assertEquals(ReplicaFailure.AUTH, e.failure(), e.getMessage());
            assertFalse(e.isRetryable());
            System.out.println("refused as expected: " + e.getMessage());
            return e;
        }
    }

    private static OpenSshd sshd() {
        return SSHD.server();
    }
}
