package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every subcommand answers -h and --help with its own usage and exit code 0, as the top level does. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"replicate", "restore", "databases", "version", "ltx", "plugins", "demo"})
    void subcommandHelp_printsItsUsage_exitsZero(String command) {
        for (String flag : new String[] {"-h", "--help"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out), new PrintWriter(err), command, flag);
            assertEquals(0, code, command + " " + flag + ": " + err);
            assertTrue(out.toString().startsWith("Usage: litefleet " + command), out.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicate", "restore", "databases", "ltx"})
    void helpCommand_asUpstreamHasIt_printsTheSubcommandsUsage(String command) {
        CliRun r = CliRun.of("help", command);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: litefleet " + command), r.out());
    }

    @org.junit.jupiter.api.Test
    void wal_isUpstreamsDeprecatedNameOfLtx_withItsWarning() throws Exception {
        java.nio.file.Path missing = java.nio.file.Path.of("/nonexistent-litefleet-test.ltx");
        CliRun r = CliRun.of("wal", missing.toString());
        assertEquals(CliRun.of("ltx", missing.toString()).code(), r.code());
        assertTrue(r.err().startsWith("Warning: 'wal' command is deprecated, please use 'ltx' instead\n"), r.err());
        assertTrue(r.err().contains(missing + ": no such file"), r.err());
    }

    @org.junit.jupiter.api.Test
    void unknownFlagsAndCommands_exitOne_asUpstreamDoes() throws Exception {
        for (String[] args : new String[][] {{"restore", "-bogus", "x"}, {"bogus"}, {"restore", "-parallelism",
                "many", "file:///x"}}) {
            CliRun ours = CliRun.of(args);
            assertEquals(1, ours.code(), String.join(" ", args) + ": " + ours.err());
            assertTrue(!ours.err().isBlank(), "says what was wrong");
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                    io.litefleet.testkit.PeerTools.litestream().toString()));
            command.addAll(java.util.List.of(args));
            Process stock = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(stock.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(stock.exitValue(), ours.code(), "same exit code as stock: " + String.join(" ", args));
        }
    }
}
