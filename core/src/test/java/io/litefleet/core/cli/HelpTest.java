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

    /** Every command and sub-command in Main's picocli tree, as the words that run it (the top level first). */
    static java.util.stream.Stream<java.util.List<String>> everyCommand() {
        java.util.List<java.util.List<String>> out = new java.util.ArrayList<>();
        walk(Subcommands.full(), new java.util.ArrayList<>(), out);
        return out.stream();
    }

    private static void walk(picocli.CommandLine cmd, java.util.List<String> words,
                             java.util.List<java.util.List<String>> out) {
        out.add(java.util.List.copyOf(words));
        // aliases share their command's object: each is walked once, by its name
        new java.util.TreeMap<>(cmd.getSubcommands()).forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) {
                java.util.List<String> next = new java.util.ArrayList<>(words);
                next.add(name);
                walk(sub, next, out);
            }
        });
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everyCommand")
    void everyCommandInTheTree_answersDashHAndDashDashHelp_onStdoutWithExitZero(java.util.List<String> words) {
        for (String flag : new String[] {"-h", "--help"}) {
            java.util.List<String> args = new java.util.ArrayList<>(words);
            args.add(flag);
            CliRun r = CliRun.of(args.toArray(String[]::new));
            String line = String.join(" ", args);
            assertEquals(0, r.code(), line + ": " + r.err());
            String usage = "Usage: " + String.join(" ", java.util.stream.Stream.concat(java.util.stream.Stream.of(
                    "litefleet"), words.stream()).toList());
            // picocli's own help command describes itself in one line, without a usage header
            assertTrue(words.equals(java.util.List.of("help")) ? !r.out().isBlank() : r.out().startsWith(usage),
                    line + " printed: " + r.out());
            assertTrue(r.err().isEmpty(), line + " wrote to stderr: " + r.err());
        }
    }

    @org.junit.jupiter.api.Test
    void theTreeHoldsTheFleetCommands() {
        java.util.Set<String> names = everyCommand().map(w -> String.join(" ", w)).collect(
                java.util.stream.Collectors.toSet());
        for (String c : java.util.List.of("config check", "prune", "snapshot", "databases", "restore", "ltx")) {
            assertTrue(names.contains(c), c + " in " + names);
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
