package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.PeerTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code litefleet databases} lists a dbs: config exactly as stock {@code litestream databases} does. */
class DatabasesCommandTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %1$s/app.db
                    replica:
                      url: file://%1$s/replica/app
                  - path: %1$s/a-much-longer-database-name.db
                    replica:
                      type: s3
                      bucket: b
                      path: long
                """.formatted(dir));
    }

    @Test
    void textAndJsonAreUpstreamsByteForByte() throws Exception {
        Path config = config();
        for (List<String> flags : List.of(List.<String>of(), List.of("-json"))) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("databases", "-config",
                    config.toString()), flags.stream()).toArray(String[]::new);
            CliRun ours = CliRun.of(args);
            assertEquals(0, ours.code(), ours.err());
            assertEquals(stock(args), ours.out(), "litefleet " + String.join(" ", args));
        }
        assertTrue(CliRun.of("databases", "-config", config.toString()).out()
                .contains(dir + "/a-much-longer-database-name.db  s3"));
    }

    @Test
    void defaultConfigComesFromLitestreamConfigVariable() throws Exception {
        Path config = config();
        assertEquals(Optional.of(config), ConfigPaths.defaultConfig(Map.of("LITESTREAM_CONFIG", config.toString())::get));
        assertEquals(config, ConfigPaths.configOrDefault(null, Map.of("LITESTREAM_CONFIG", config.toString())::get));
        UserException e = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
                () -> ConfigPaths.configOrDefault(null, Map.of("LITESTREAM_CONFIG", dir + "/none.yml")::get));
        assertTrue(e.getMessage().contains(dir + "/none.yml (from $LITESTREAM_CONFIG)"), e.getMessage());
    }

    @Test
    void noExpandEnvKeepsVariablesAsWritten() throws Exception {
        Path config = Files.writeString(dir.resolve("env.yml"), "dbs:\n  - path: /data/$LITEFLEET_UNSET_VAR.db\n"
                + "    replica: {url: file:///backups/x}\n");
        CliRun expanded = CliRun.of("databases", "-config", config.toString());
        assertNotEquals(0, expanded.code());
        assertTrue(expanded.err().contains("LITEFLEET_UNSET_VAR is not set"), expanded.err());
        CliRun literal = CliRun.of("databases", "-no-expand-env", "-config", config.toString());
        assertEquals(0, literal.code(), literal.err());
        assertTrue(literal.out().contains("/data/$LITEFLEET_UNSET_VAR.db  file"), literal.out());
        // restore and ltx read the config the same way: unexpanded, the database is found by its literal path
        String db = "/data/$LITEFLEET_UNSET_VAR.db";
        for (String command : new String[] {"restore", "ltx"}) {
            CliRun refused = CliRun.of(command, "-config", config.toString(), db);
            assertTrue(refused.err().contains("LITEFLEET_UNSET_VAR is not set"), command + ": " + refused.err());
        }
        CliRun restore = CliRun.of("restore", "-no-expand-env", "-if-replica-exists", "-config", config.toString(),
                "-o", dir.resolve("out.db").toString(), db);
        assertEquals(0, restore.code(), "no backup yet, and -if-replica-exists: " + restore.err());
        CliRun ltx = CliRun.of("ltx", "-no-expand-env", "-config", config.toString(), db);
        assertTrue(!ltx.err().contains("is not set") && !ltx.err().contains("no database"), ltx.err());
    }

    @Test
    void directoryModeConfigListsWhatTheCatalogKnows() throws Exception {
        Files.createDirectories(dir.resolve("tenants"));
        Path config = Files.writeString(dir.resolve("dirs.yml"), """
                state-dir: %1$s/state
                dbs:
                  - dir: %1$s/tenants
                    pattern: "*.db"
                    replica:
                      url: file://%1$s/replica
                """.formatted(dir));
        CliRun r = CliRun.of("databases", "-config", config.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("path  replica\n", r.out(), "nothing replicated yet: the header alone");
    }

    private String stock(String... args) throws Exception {
        Path out = dir.resolve("stock.out");
        List<String> cmd = new java.util.ArrayList<>(List.of(PeerTools.litestream().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stock litestream databases finished");
        assertEquals(0, p.exitValue(), "stock litestream " + String.join(" ", args));
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
