package io.litefleet.api.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessSampleTest {
    @Test
    void fourArgumentConstructor_stillWorks_withoutAPath() {
        AccessSample s = new AccessSample(Tier.COLD, Duration.ZERO, Duration.ZERO, 3);
        assertNull(s.path());
        assertEquals(3, s.recentAccesses());
    }

    @Test
    void path_mustBeAbsolute() {
        assertEquals(Path.of("/data/t1.db"),
                new AccessSample(Tier.HOT, Duration.ZERO, Duration.ZERO, 0, Path.of("/data/t1.db")).path());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AccessSample(Tier.HOT, Duration.ZERO, Duration.ZERO, 0, Path.of("t1.db")));
        assertEquals("path must be absolute: t1.db", e.getMessage());
    }
}
