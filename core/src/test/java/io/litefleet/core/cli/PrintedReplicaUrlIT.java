package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica URL {@code litefleet databases} prints names that database's replica and no other, whatever its name
 * holds: pasted into {@code litefleet restore} it restores exactly that database.
 */
class PrintedReplicaUrlIT {
    /** {@code acct} next to {@code acct#2}: an unescaped '#' made the second's URL restore the first. */
    private static final List<String> NAMES = List.of("acct", "acct#2", "p%q", "50%25", "q?x", "a b", "ünï cødé",
            "a(1)+b=c@d");
    /** A row of the --catalog table: tier, TXID, last sync, lag, size, then path -> replica. */
    private static final Pattern TEXT_ROW = Pattern.compile("^\\S+ +[0-9a-f]{16} +\\S+ +\\S+ +\\d+ (.*) -> (\\S*)$");
    private static final Pattern JSON_ROW = Pattern.compile("^\\{\"path\":\"([^\"]*)\".*\"replica\":\"([^\"]*)\"");

    @TempDir
    static Path dir;
    static Path data;
    static Path config;
    /** Name to the content hash of its database. */
    static final Map<String, String> hashes = new LinkedHashMap<>();
    /** Name to the URL {@code databases} prints, in text and with --json. */
    static Map<String, String> textUrls;
    static Map<String, String> jsonUrls;

    @BeforeAll
    static void replicateAndList() throws Exception {
        data = Files.createDirectories(dir.resolve("data"));
        Path plain = Files.createDirectories(dir.resolve("plain"));
        for (int i = 0; i < NAMES.size(); i++) {
            // Made under a plain name: JDBC URLs read '?', '#' and '%' in a file name as URL syntax.
            Path db = plain.resolve(i + ".db");
            try (Connection c = SqliteFiles.open(db)) {
                SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('"
                        + NAMES.get(i).replace("'", "''") + "')", "INSERT INTO t VALUES (" + i + ")");
            }
            hashes.put(NAMES.get(i), DbContent.hash(db));
            Files.move(db, data.resolve(NAMES.get(i) + ".db"));
        }
        config = Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %s
                multi-db:
                  patterns: ["%s/{name}.db"]
                  replica-template:
                    type: file
                    path: "%s/{{name}}"
                """.formatted(dir.resolve("state"), data, dir.resolve("replica")));
        FleetCapture.captureAll(config, NAMES.size());
        textUrls = listing(TEXT_ROW, "databases", "--catalog", "-config", config.toString());
        jsonUrls = listing(JSON_ROW, "databases", "--catalog", "-config", config.toString(), "--json");
    }

    @Test
    void databases_urls_areEscapedAndTheSameInTextAndJson() {
        assertEquals(NAMES, List.copyOf(textUrls.keySet()), "one row per database: " + textUrls);
        assertEquals(textUrls, jsonUrls);
        for (String url : textUrls.values()) {
            assertTrue(url.matches("file:///[\\x21-\\x7e]+") && !url.contains("#") && !url.contains("?"),
                    "ASCII, no space, '#' or '?': " + url);
        }
        assertTrue(textUrls.get("acct#2").endsWith("/replica/acct%232"), textUrls.get("acct#2"));
    }

    @Test
    void restore_printedUrl_restoresExactlyThatDatabase() throws Exception {
        for (Map<String, String> urls : List.of(textUrls, jsonUrls)) {
            for (String name : NAMES) {
                Path out = Files.createTempDirectory(dir, "out").resolve("out.db");
                CliRun r = CliRun.of("restore", "-o", out.toString(), urls.get(name));
                assertEquals(0, r.code(), name + ": " + r.err());
                assertEquals(hashes.get(name), DbContent.hash(out), name + " restored from " + urls.get(name));
                assertEquals("ok", DbContent.integrityCheck(out), name);
            }
        }
        assertNotEquals(hashes.get("acct"), hashes.get("acct#2"), "the pair can tell a wrong restore");
    }

    @Test
    void restore_urlWithFragment_isRefusedNamingTheUrlItMeant() {
        // What `databases` printed before: the '#2' was read as a fragment and acct's replica restored.
        String raw = "file://" + dir.resolve("replica/acct#2");
        Path out = dir.resolve("fragment.db");
        CliRun r = CliRun.of("restore", "-o", out.toString(), raw);
        assertEquals(1, r.code());
        assertEquals("litefleet: replica URL '" + raw + "' has a fragment '#2', which replica URLs do not take; if it "
                + "is part of the path, write '#' as %23: " + textUrls.get("acct#2"), r.err().strip());
        assertFalse(Files.exists(out));
    }

    @Test
    void litestreamRestore_printedUrl_restoresTheNamesUpstreamCanRead() throws Exception {
        Path litestream = PeerTools.litestream();
        for (String name : NAMES) {
            String url = textUrls.get(name);
            Path out = Files.createTempDirectory(dir, "stock").resolve("out.db");
            PeerProcess.Result r = PeerProcess.run(dir, Duration.ofSeconds(60),
                    List.of(litestream.toString(), "restore", "-o", out.toString(), url));
            if (ReplicaUrl.escapePath(name).equals(name)) {
                assertEquals(0, r.exitCode(), name + ": " + r.both());
                assertEquals(hashes.get(name), DbContent.hash(out), "stock restore of " + name);
                assertEquals("ok", DbContent.integrityCheck(out), name);
            } else {
                // Upstream v0.5.16 cannot read a file URL whose path needs escaping. ParseReplicaURLWithQuery
                // (replica_url.go) takes a file URL's directory as path.Clean(u.String()) with the scheme blanked:
                // the path encoded again, so file:///r/a%20b names the directory "a%20b", and an unescaped space,
                // '%', '?' or non-ASCII is encoded (or refused) the same way. Only a raw '#' slips through, as a
                // fragment u.String() appends back, which is the very URL Litefleet must refuse.
                assertEquals(1, r.exitCode(), name + ": " + r.both());
                assertTrue(r.stderr().contains("no matching backup files available"), name + ": " + r.both());
                assertFalse(Files.exists(out), name);
            }
        }
    }

    private static Map<String, String> listing(Pattern row, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        Map<String, String> urls = new LinkedHashMap<>();
        for (String line : r.out().lines().toList()) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                String file = data.relativize(Path.of(m.group(1))).toString();
                urls.put(file.substring(0, file.length() - ".db".length()), m.group(2));
            }
        }
        Map<String, String> inOrder = new LinkedHashMap<>();
        NAMES.stream().filter(urls::containsKey).forEach(n -> inOrder.put(n, urls.get(n)));
        assertEquals(urls.size(), inOrder.size(), "unexpected rows: " + r.out());
        return inOrder;
    }
}
