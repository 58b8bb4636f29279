package io.litefleet.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.core.config.HttpConfig;
import io.litefleet.core.config.ListenAddress;
import io.litefleet.testkit.Await;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The endpoint on a real socket: serves the router's answers (raw paths, so {@code %2F} stays one segment), names the
 * key for a bad address, serves a non-loopback address without a token as upstream does (RemoteAccessTest: the API only to this machine), warns and goes on when the default port is
 * taken, and owns and ends its threads.
 */
class HttpEndpointTest {
    private static final String WHERE = "/etc/l.yml: key 'addr' (line 3)";

    @Test
    void serves_metricsPageAndApi_thenCloses_freeingThePortAndItsThreads() throws Exception {
        int port;
        try (HttpEndpoint s = open(HttpConfig.at(ListenAddress.of("127.0.0.1:0", WHERE))).orElseThrow()) {
            port = s.port();
            HttpURLConnection c = get(port, "/metrics");
            assertEquals(200, c.getResponseCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", c.getContentType());
            assertEquals("# TYPE x gauge\nx 1\n", body(c));
            HttpURLConnection page = get(port, "/");
            assertEquals(200, page.getResponseCode());
            assertTrue(body(page).contains("<html"), "the status page");
            HttpURLConnection one = get(port, "/v1/databases/%2Fdata%2Fa%2Ft1.db");
            assertEquals(200, one.getResponseCode());
            assertTrue(body(one).contains("\"path\":\"/data/a/t1.db\""));
            HttpURLConnection missing = get(port, "/nope");
            assertEquals(404, missing.getResponseCode());
            assertEquals("application/json; charset=utf-8", missing.getContentType());
            assertTrue(threadAlive("litefleet-http-0"));
        }
        Await.until(Duration.ofSeconds(10), "the HTTP threads end", () -> !threadAlive("litefleet-http-0")
                && !threadAlive("litefleet-http-1"));
        try (ServerSocket again = new ServerSocket(port)) {
            assertEquals(port, again.getLocalPort(), "the port is free again");
        }
    }

    @Test
    void explicitPortInUse_andUnknownHost_areConfigErrorsNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String m = assertThrows(ConfigException.class, () -> open(HttpConfig.at(ListenAddress.of("127.0.0.1:"
                    + taken.getLocalPort(), WHERE)))).getMessage();
            assertTrue(m.startsWith(WHERE + ": cannot listen on 127.0.0.1:" + taken.getLocalPort()), m);
        }
        String m = assertThrows(ConfigException.class, () -> open(HttpConfig.at(ListenAddress.of(
                "no-such-host.invalid:9090", WHERE)))).getMessage();
        assertTrue(m.startsWith(WHERE + ": host 'no-such-host.invalid' does not resolve"), m);
        assertFalse(threadAlive("litefleet-http-0"), "nothing started");
    }

    @Test
    void defaultPortInUse_isNoEndpoint_andNoError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HttpConfig defaulted = new HttpConfig(Optional.of(ListenAddress.of("127.0.0.1:" + taken.getLocalPort(),
                    "the default addr")), true, Optional.empty(), HttpConfig.HealthThresholds.DEFAULTS);
            assertTrue(open(defaulted).isEmpty(), "replication goes on without the endpoint");
        }
    }

    @Test
    void everyInterface_withoutToken_listensAsLitestreamDoes_withTokenNeedsIt() throws Exception {
        try (HttpEndpoint s = open(HttpConfig.at(ListenAddress.of(":0", WHERE))).orElseThrow()) {
            assertEquals(200, get(s.port(), "/metrics").getResponseCode(), "upstream's addr: \":9090\" still scrapes");
            assertEquals(200, get(s.port(), "/v1/fleet").getResponseCode(), "this machine gets the status API");
        }
        HttpConfig withToken = new HttpConfig(Optional.of(ListenAddress.of(":0", WHERE)), false, Optional.of("s3cret"),
                HttpConfig.HealthThresholds.DEFAULTS);
        try (HttpEndpoint s = open(withToken).orElseThrow()) {
            assertEquals(401, get(s.port(), "/metrics").getResponseCode());
            HttpURLConnection c = get(s.port(), "/metrics");
            c.setRequestProperty("Authorization", "Bearer s3cret");
            assertEquals(200, c.getResponseCode());
            assertEquals(200, get(s.port(), "/healthz").getResponseCode(), "probes need no token");
        }
    }

    @Test
    void off_opensNothing() throws Exception {
        assertTrue(open(HttpConfig.OFF).isEmpty());
    }

    private static Optional<HttpEndpoint> open(HttpConfig config) throws IOException {
        return HttpEndpoint.open(config, Router.create(() -> "# TYPE x gauge\nx 1\n", FakeSource.of("/data/a/t1.db"),
                config.token()));
    }

    private static String body(HttpURLConnection c) throws IOException {
        return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static HttpURLConnection get(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                .openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(5_000);
        return c;
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
