package io.litefleet.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.core.config.ListenAddress;
import io.litefleet.testkit.Await;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code addr:} server: serves one scrape per GET, names the key for a bad address, owns and ends its thread. */
class MetricsServerTest {
    private static final String WHERE = "/etc/l.yml: key 'addr' (line 3)";

    @Test
    void serves_metricsOnly_thenCloses_freeingThePortAndItsThread() throws Exception {
        int port;
        try (MetricsServer s = MetricsServer.open(ListenAddress.of("127.0.0.1:0", WHERE),
                () -> "# TYPE x gauge\nx 1\n")) {
            port = s.port();
            HttpURLConnection c = get(port, "/metrics");
            assertEquals(200, c.getResponseCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", c.getContentType());
            assertEquals("# TYPE x gauge\nx 1\n", new String(c.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
            assertEquals(404, get(port, "/").getResponseCode());
            assertTrue(threadAlive("litefleet-metrics-0"));
        }
        Await.until(Duration.ofSeconds(10), "the metrics thread ends", () -> !threadAlive("litefleet-metrics-0"));
        try (ServerSocket again = new ServerSocket(port)) {
            assertEquals(port, again.getLocalPort(), "the port is free again");
        }
    }

    @Test
    void portInUse_andUnknownHost_areConfigErrorsNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            String m = assertThrows(ConfigException.class, () -> MetricsServer.open(ListenAddress.of("127.0.0.1:"
                    + taken.getLocalPort(), WHERE), () -> "")).getMessage();
            assertTrue(m.startsWith(WHERE + ": cannot listen on 127.0.0.1:" + taken.getLocalPort()), m);
        }
        String m = assertThrows(ConfigException.class, () -> MetricsServer.open(ListenAddress.of(
                "no-such-host.invalid:9090", WHERE), () -> "")).getMessage();
        assertTrue(m.startsWith(WHERE + ": host 'no-such-host.invalid' does not resolve"), m);
        assertFalse(threadAlive("litefleet-metrics-0"), "nothing started");
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
