package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** Bad directory-mode entries stop {@code replicate} and {@code restore} with one line naming file, line and key. */
class DirectoryModeCliTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty dir | dir: '' | key 'dir' (line 2) must not be empty",
            "bad pattern | dir: /data\\n    pattern: '[z-a]' | key 'pattern' (line 3) '[z-a]' syntax error in pattern: "
                    + "range 'z-a' is reversed",
            "no pattern | dir: /data | missing required key 'pattern' for 'dir' (line 2)",
            "dir and path | dir: /data\\n    path: /data/a.db | give either 'path' or 'dir', not both (key 'dir' "
                    + "(line 2), key 'path' (line 3))",
            "watch on a path entry | path: /data/a.db\\n    watch: true | key 'watch' (line 3) can only be used with "
                    + "'dir' (directory mode), not with 'path'",
    })
    void badEntry_isOneLineNamingFileLineAndKey(String what, String entry, String message) throws Exception {
        String pattern = entry.contains("pattern") || entry.contains("path:") || what.equals("no pattern")
                ? "" : "\n    pattern: '*.db'";
        Path config = Files.writeString(dir.resolve("c.yml"), "dbs:\n  - " + entry.replace("\\n", "\n") + pattern
                + "\n    replica: {type: file, path: " + dir.resolve("r") + "}\n");
        for (String command : new String[] {"replicate", "restore"}) {
            CliRun r = command.equals("replicate") ? CliRun.of("replicate", "-config", config.toString())
                    : CliRun.of("restore", "-config", config.toString(), "-o", dir.resolve("o").toString(), "/data");
            assertEquals(1, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains(config + ": dbs[0]: " + message), command + ": " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }
}
