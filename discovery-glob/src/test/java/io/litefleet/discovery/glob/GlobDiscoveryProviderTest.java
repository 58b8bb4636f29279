package io.litefleet.discovery.glob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GlobDiscoveryProviderTest {
    @Test
    void type_isGlob() {
        assertEquals("glob", new GlobDiscoveryProvider().type());
    }

    @Test
    void create_saysItIsNotThereYetNamingTheOrigin() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new GlobDiscoveryProvider().create(Settings.of("litefleet.yml: discovery", Map.of())));
        assertTrue(e.getMessage().startsWith("litefleet.yml: discovery: glob discovery is not implemented yet"),
                e.getMessage());
    }
}
