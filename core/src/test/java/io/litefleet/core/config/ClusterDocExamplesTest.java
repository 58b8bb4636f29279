package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The configuration examples of docs/cluster.md parse, each with an etcd cluster section. */
class ClusterDocExamplesTest {
    private static final Path DOC = Path.of("..", "docs", "cluster.md");

    @Test
    void everyYamlExample_parses_withAClusterSection() throws Exception {
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        List<String> examples = new ArrayList<>();
        while (m.find()) {
            examples.add(m.group(1));
        }
        assertEquals(2, examples.size(), "a multi-db: and a dbs: example");
        for (String yaml : examples) {
            LitefleetConfig c = LitefleetConfig.parse(DOC, YamlLoader.withEnvironment(Map.<String, String>of()::get)
                    .parse(DOC.toString(), yaml));
            assertTrue(c.cluster().clustered(), yaml);
            assertEquals("etcd", c.cluster().coordinator().type());
            assertTrue(c.fleet().isPresent() || !c.dbs().isEmpty(), yaml);
        }
    }
}
