package io.litefleet.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An endpoint open beyond loopback without a token serves other machines only what Litestream serves them. */
class RemoteAccessTest {
    private final RemoteAccess open = new RemoteAccess(true);

    @Test
    void otherMachines_getMetricsProbesAndPage_notTheApi() {
        for (String p : new String[] {"/metrics", "/healthz", "/readyz", "/"}) {
            assertTrue(open.refusal(p, false).isEmpty(), p);
        }
        for (String p : new String[] {"/v1/fleet", "/v1/databases", "/v1/databases/%2Fdata%2Fa.db/promote"}) {
            Answer a = open.refusal(p, false).orElseThrow(() -> new AssertionError(p + " served"));
            assertEquals(403, a.status());
            String body = new String(a.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains(p) && body.contains("'addr-token'"), body);
        }
    }

    @Test
    void thisMachine_orATokenOrLoopbackBinding_getEverything() {
        assertTrue(open.refusal("/v1/databases", true).isEmpty(), "from loopback");
        assertTrue(new RemoteAccess(false).refusal("/v1/databases", false).isEmpty(), "token set or loopback bound");
    }
}
