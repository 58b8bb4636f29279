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
}
