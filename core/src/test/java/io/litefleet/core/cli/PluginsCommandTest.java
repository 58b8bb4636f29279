package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PluginsCommandTest {
    @Test
    void plugins_listsTheBuiltInFileBackendWithItsOrigin() {
        CommandLine cli = Subcommands.full();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        int rc = cli.execute("plugins");
        assertEquals(0, rc);
        String text = out.toString();
        assertTrue(text.startsWith("KIND"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("replica\\s+file\\s+io\\.litefleet\\.core\\.file\\."
                + "FileReplicaClientProvider\\s+.+")), text);
    }

    @Test
    void plugins_pluginsDirIsAFile_listsOnlyTheBuiltIns() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("not-a-dir", ".txt");
        try {
            CommandLine cli = Subcommands.full();
            cli.setExecutionExceptionHandler(new ErrorHandler());
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            assertEquals(0, cli.execute("plugins", "--plugins-dir", file.toString()));
            assertTrue(out.toString().contains("file"), out.toString());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
