package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.SqliteFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `litefleet databases` answers from the catalog; `restore -config` finds a discovered database's replica. */
class FleetCommandsIT {
    @TempDir
    Path dir;

    @Test
    void databasesAndRestoreByPath_workFromTheCatalogAndTheTemplate() throws Exception {
        Path data = dir.resolve("data");
        List<Path> dbs = new ArrayList<>();
        for (String p : List.of("acme", "globex")) {
            Path t = Files.createDirectories(data.resolve(p + "/databases/crm/branches/main/tenants"));
            for (int i = 0; i < 3; i++) {
                Path db = t.resolve("t" + i + ".db");
                try (Connection c = SqliteFiles.open(db)) {
                    SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('"
                            + p + i + "')");
                }
                dbs.add(db);
            }
        }
        Path config = Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %s
                multi-db:
                  patterns: ["%s/*/databases/*/branches/*/tenants/*.db"]
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                """.formatted(dir.resolve("state"), data, dir.resolve("replica")));
        FleetCapture.captureAll(config, dbs.size());
        StringWriter out = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "databases", "-config",
                config.toString(), "--prefix", data.resolve("globex").toString(), "--json"));
        List<String> lines = out.toString().lines().toList();
        assertEquals(3, lines.size(), out.toString());
        assertTrue(lines.get(0).contains("\"tier\":\"cold\"") && lines.get(0).contains("/replica/globex/crm/main/t0"),
                lines.get(0));
        // The database is lost; its path and the config still find the replica.
        Path lost = dbs.get(4);
        String hash = DbContent.hash(lost);
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(lost.resolveSibling(lost.getFileName() + suffix));
        }
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "restore", "-config",
                config.toString(), lost.toString());
        assertEquals(0, code, err.toString());
        assertEquals(hash, DbContent.hash(lost), "restored in place from the template's replica path");
        StringWriter err2 = new StringWriter();
        assertEquals(1, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err2), "restore", "-config",
                config.toString(), "-o", dir.resolve("x.db").toString(), dir.resolve("elsewhere.db").toString()));
        assertTrue(err2.toString().contains("matches none of the multi-db: patterns"), err2.toString());
    }
}
