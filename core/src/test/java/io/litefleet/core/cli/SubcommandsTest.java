package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SubcommandsTest {

    private static final CommandLine FULL = Subcommands.full();

    @Test
    void eachSubcommandAlone_hasTheUsageAndVersionItHasUnderMain() {
        for (String name : Subcommands.BY_NAME.keySet()) {
            CommandLine lean = Subcommands.commandLine(new String[] {name, "--help"});
            assertEquals(1, lean.getSubcommands().size(), name);
            CommandLine alone = lean.getSubcommands().get(name);
            CommandLine full = FULL.getSubcommands().get(name);
            CommandLine.Help.Ansi off = CommandLine.Help.Ansi.OFF;
            assertEquals(full.getUsageMessage(off), alone.getUsageMessage(off), name);
            assertEquals(String.join("\n", full.getCommandSpec().version()),
                    String.join("\n", alone.getCommandSpec().version()), name);
        }
    }

    @Test
    void noSubcommandHelpOrUnknownName_buildsTheFullCommandLine() {
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "restore"}, {"restor"}}) {
            CommandLine cli = Subcommands.commandLine(args);
            assertInstanceOf(Main.class, cli.getCommand(), String.join(" ", args));
            assertEquals(FULL.getSubcommands().keySet(), cli.getSubcommands().keySet());
        }
    }

    @Test
    void versionSubcommandAndFlag_printTheVersion() {
        for (String[] args : new String[][] {{"version"}, {"-V"}, {"restore", "-V"}}) {
            StringWriter out = new StringWriter();
            assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args),
                    String.join(" ", args));
            assertTrue(out.toString().startsWith(new Main.Version().getVersion()[0]), String.join(" ", args) + ": "
                    + out);
        }
    }
}
