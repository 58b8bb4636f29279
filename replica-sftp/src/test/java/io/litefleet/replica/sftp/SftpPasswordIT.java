package io.litefleet.replica.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.testkit.LogCapture;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password logins, against Apache MINA SSHD in the test JVM (Debian's sshd would need a real account with a password):
 * through the URL form {@code sftp://user:password@host:port/path} as upstream takes it, over {@code password} and
 * over {@code keyboard-interactive} alone; a wrong password is an AUTH failure that no message or log line repeats.
 */
class SftpPasswordIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "pa55:w/rd@secret";

    @TempDir
    static Path dir;
    private static MinaSftpServer password;
    private static MinaSftpServer keyboard;

    @BeforeAll
    static void startServers() throws Exception {
        password = MinaSftpServer.start(dir.resolve("password"), USER, PASSWORD,
                List.of(UserAuthPasswordFactory.INSTANCE));
        keyboard = MinaSftpServer.start(dir.resolve("keyboard"), USER, PASSWORD,
                List.of(UserAuthKeyboardInteractiveFactory.INSTANCE));
        Files.writeString(dir.resolve("empty_known_hosts"), ""); // host keys come from 'host-key' alone
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (MinaSftpServer s : new MinaSftpServer[] {password, keyboard}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void passwordInTheUrl_logsIn_andReplicatesUnderThePath() throws Exception {
        UrlTarget t = new SftpReplicaClientProvider().parseUrl(ReplicaUrl.parse("sftp://" + USER + ":"
                + ReplicaUrl.escapePath(PASSWORD).replace("/", "%2F").replace("@", "%40").replace(":", "%3A") + "@"
                + password.hostPort() + "/backups/db"));
        assertEquals(PASSWORD, t.destination().get("password"));
        try (ReplicaClient c = client(password, t.destination())) {
            String key = t.path() + "/ltx/0/0000000000000001-0000000000000001.ltx";
            c.put(key, ObjectBody.of("ltx".getBytes(StandardCharsets.UTF_8)), PutOptions.DEFAULT);
            assertEquals(List.of(key), c.list(t.path() + "/").stream().map(ObjectInfo::key).toList());
            try (InputStream in = c.get(key)) {
                assertArrayEquals("ltx".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
            }
            assertFalse(c.describe().contains(PASSWORD), c.describe());
        }
        assertEquals("ltx", Files.readString(password.root().resolve(
                "backups/db/ltx/0/0000000000000001-0000000000000001.ltx")));
    }

    @Test
    void keyboardInteractiveOnlyServer_logsInWithThePassword() throws Exception {
        try (ReplicaClient c = client(keyboard, Map.of("host", keyboard.hostPort(), "user", USER, "password",
                PASSWORD))) {
            c.put("k", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
            assertEquals(1, c.stat("k").orElseThrow().size());
        }
    }

    @Test
    void wrongPassword_isAuth_andNeitherPasswordAppearsInTheErrorOrTheLogs() throws Exception {
        String wrong = "not-" + PASSWORD;
        try (LogCapture log = LogCapture.open("");
             ReplicaClient c = client(password, Map.of("host", password.hostPort(), "user", USER, "password",
                     wrong))) {
            ReplicaException e = assertThrows(ReplicaException.class, () -> c.list(""));
            assertEquals(ReplicaFailure.AUTH, e.failure(), e.getMessage());
            assertTrue(e.getMessage().contains("refused to log in '" + USER + "' with password, keyboard-interactive"),
                    e.getMessage());
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertFalse(trace.toString().contains(PASSWORD), trace.toString());
            for (String line : log.lines()) {
                assertFalse(line.contains(PASSWORD), line);
            }
        }
    }

    private static ReplicaClient client(MinaSftpServer server, Map<String, Object> destination) {
        Map<String, Object> s = new HashMap<>(destination);
        s.put("host-key", server.hostKeyLine());
        s.put("known-hosts-path", dir.resolve("empty_known_hosts").toString());
        return new SftpReplicaClientProvider().create(Settings.of("test", s));
    }
}
