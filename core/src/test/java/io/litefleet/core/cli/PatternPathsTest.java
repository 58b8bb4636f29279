package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Filling a glob pattern's captures with variable values: the path a replica path maps back to. */
class PatternPathsTest {
    @Test
    void fill_eachCaptureKind_inPatternOrder() {
        assertEquals(Optional.of(Path.of("/data/acme/databases/crm/tenants/t42.db")), PatternPaths.fill(
                "/data/*/databases/*/tenants/*.db", List.of("#1", "database", "tenant"),
                Map.of("#1", "acme", "database", "crm", "tenant", "t42")));
        assertEquals(Optional.of(Path.of("/d/acme/x7-b.db")), PatternPaths.fill("/d/{project}/x?-[ab].db",
                List.of("project", "#2", "#3"), Map.of("project", "acme", "#2", "7", "#3", "b")));
        assertEquals(Optional.of(Path.of("/d/a*b/t1.db")), PatternPaths.fill("/d/a\\*b/*.db", List.of("#1"),
                Map.of("#1", "t1")), "an escaped * is a literal, not a capture");
    }

    @Test
    void fill_doubleStarOrMissingValue_isEmpty() {
        assertEquals(Optional.empty(), PatternPaths.fill("/d/**/*.db", List.of("#1"), Map.of("#1", "t")));
        assertEquals(Optional.empty(), PatternPaths.fill("/d/*/*.db", List.of("#1", "#2"), Map.of("#1", "a")));
        assertEquals(Optional.empty(), PatternPaths.fill("/d/*/*.db", List.of("#1"), Map.of("#1", "a")),
                "fewer names than captures");
    }
}
