package io.litefleet.core.wal;

import io.litefleet.testkit.PeerTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A writer connection to a test database, either sqlite-jdbc in this JVM or the {@code sqlite3} shell in a child
 * process. Closing it closes the connection; being the last one, SQLite then checkpoints and deletes the -wal.
 */
interface SqliteSession extends AutoCloseable {
    /** Runs one statement (autocommit). */
    void exec(String sql) throws Exception;

    /** Runs the statements as one transaction. */
    void transaction(List<String> statements) throws Exception;

    @Override
    void close() throws IOException, SQLException;

    /** Which SQLite writes the WAL. */
    enum Driver {
        JDBC, CLI;

        SqliteSession open(Path db) throws Exception {
            return this == JDBC ? new Jdbc(db) : new Cli(db);
        }
    }

    /** sqlite-jdbc in this JVM. */
    final class Jdbc implements SqliteSession {
        private final Connection connection;

        Jdbc(Path db) throws SQLException {
            connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        }

        Connection connection() {
            return connection;
        }

        @Override
        public void exec(String sql) throws SQLException {
            try (Statement s = connection.createStatement()) {
                s.execute(sql);
            }
        }

        @Override
        public void transaction(List<String> statements) throws SQLException {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
                connection.commit();
            } finally {
                connection.setAutoCommit(true);
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /**
     * The Debian {@code sqlite3} shell fed through stdin. Each call ends with a marker query and waits (blocking
     * read, no sleep) until the shell has printed it, so the statements have run when the call returns.
     */
    final class Cli implements SqliteSession {
        private final Process process;
        private final Writer in;
        private final BufferedReader out;
        private final Path errors;
        private int markers;

        Cli(Path db) throws IOException {
            errors = Files.createTempFile(db.getParent(), "sqlite3-", ".err");
            process = new ProcessBuilder(PeerTools.sqlite3().toString(), "-bail", db.toString())
                    .redirectError(errors.toFile())
                    .start();
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public void exec(String sql) throws IOException {
            run(sql + ";\n");
        }

        @Override
        public void transaction(List<String> statements) throws IOException {
            run("BEGIN;\n" + String.join(";\n", statements) + ";\nCOMMIT;\n");
        }

        private void run(String script) throws IOException {
            String marker = "litefleet-marker-" + (++markers);
            in.write(script + "SELECT '" + marker + "';\n");
            in.flush();
            for (String line = out.readLine(); !marker.equals(line); line = out.readLine()) {
                if (line == null) {
                    throw new IOException("sqlite3 exited: " + Files.readString(errors));
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
            if (!exited()) {
                process.destroyForcibly();
                throw new IOException("sqlite3 did not exit");
            }
            if (process.exitValue() != 0) {
                throw new IOException("sqlite3 exit " + process.exitValue() + ": " + Files.readString(errors));
            }
        }

        private boolean exited() throws IOException {
            try {
                return process.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while waiting for sqlite3", e);
            }
        }
    }
}
