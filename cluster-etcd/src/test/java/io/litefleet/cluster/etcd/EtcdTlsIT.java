package io.litefleet.cluster.etcd;

import static io.litefleet.cluster.etcd.EtcdFixtures.open;
import static io.litefleet.cluster.etcd.EtcdFixtures.ownables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.server.Etcd;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator against a real etcd serving clients over TLS and requiring a client certificate: the server is
 * trusted through {@code tls.ca-file} and the client presents {@code cert-file}/{@code key-file} (PEM, PKCS#8), all
 * made here with the JDK's keytool (self-signed, EC P-256, SAN 127.0.0.1).
 */
class EtcdTlsIT {
    @TempDir
    static Path dir;
    static Etcd etcd;
    static Map<String, Object> tls;

    @BeforeAll
    static void start() throws Exception {
        Path server = selfSigned("server");
        Path client = selfSigned("client");
        // etcd's own gateway dials its gRPC server with the server certificate as a client: trust both
        Path trusted = Files.writeString(dir.resolve("trusted.pem"), Files.readString(client.resolve("cert.pem"))
                + Files.readString(server.resolve("cert.pem")));
        etcd = Etcd.cluster(dir.resolve("etcd"), 1, List.of(
                "--cert-file", server.resolve("cert.pem").toString(),
                "--key-file", server.resolve("key.pem").toString(),
                "--client-cert-auth", "--trusted-ca-file", trusted.toString()));
        tls = Map.of("ca-file", server.resolve("cert.pem").toString(),
                "cert-file", client.resolve("cert.pem").toString(),
                "key-file", client.resolve("key.pem").toString());
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void mutualTlsWorksAndEachMissingPieceIsRefused() throws Exception {
        assertTrue(etcd.endpoints().getFirst().startsWith("https://"), etcd.endpoints().toString());
        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), 5, "/tls/", Map.of("tls", tls))) {
            assertTrue(a.claim(ownables("tls", 2)).stream().allMatch(Claim.Owned.class::isInstance));
            assertEquals(2, a.owners("", 10).size());
        }
        CoordinationException untrusted = assertThrows(CoordinationException.class,
                () -> open("host-b", etcd.endpoints(), 5, "/tls/", Map.of("tls", Map.of(
                        "cert-file", tls.get("cert-file"), "key-file", tls.get("key-file")))));
        assertTrue(untrusted.getMessage().contains(etcd.endpoints().getFirst())
                && untrusted.getMessage().contains("ca-file"), untrusted.getMessage());
        CoordinationException noClientCert = assertThrows(CoordinationException.class,
                () -> open("host-c", etcd.endpoints(), 5, "/tls/", Map.of("tls", Map.of(
                        "ca-file", tls.get("ca-file")))));
        assertTrue(noClientCert.getMessage().contains(etcd.endpoints().getFirst()), noClientCert.getMessage());
        System.out.println("tls errors: " + untrusted.getMessage() + " / " + noClientCert.getMessage());
    }

    @Test
    void aMemberWhoseCertificateIsNotTrusted_isSkipped_forTheNextEndpoint() throws Exception {
        Path other = selfSigned("other"); // a member with a certificate the client does not trust, listed first
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(other.resolve("store.p12"))) {
            ks.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        try (javax.net.ssl.SSLServerSocket server = (javax.net.ssl.SSLServerSocket) ssl.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread accept = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) server.accept()) {
                        s.startHandshake(); // fails: the client refuses this certificate
                    } catch (java.io.IOException e) {
                        // expected for every connection, and when the server closes
                    }
                }
            });
            List<String> endpoints = List.of("https://127.0.0.1:" + server.getLocalPort(), etcd.endpoints().getFirst());
            try (EtcdCoordinator a = open("host-d", endpoints, 5, "/tls-skip/", Map.of("tls", tls))) {
                assertTrue(a.session().valid(), "a lease from the second member");
                assertTrue(a.claim(ownables("skip", 2)).stream().allMatch(Claim.Owned.class::isInstance));
            } finally {
                server.close();
                accept.join(5_000);
            }
        }
    }

    /** A self-signed EC certificate for 127.0.0.1 and its key, as {@code name/cert.pem} and {@code name/key.pem}. */
    private static Path selfSigned(String name) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Path store = d.resolve("store.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(d, List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        run(d, List.of(keytool, "-exportcert", "-rfc", "-alias", name, "-keystore", store.toString(),
                "-storepass", "changeit", "-file", d.resolve("cert.pem").toString()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        byte[] pkcs8 = ks.getKey(name, "changeit".toCharArray()).getEncoded();
        Files.writeString(d.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n");
        return d;
    }

    private static void run(Path d, List<String> command) throws Exception {
        PeerProcess.Result r = PeerProcess.run(d, Duration.ofSeconds(60), command);
        assertEquals(0, r.exitCode(), () -> String.join(" ", command) + ":\n" + r.both());
    }
}
