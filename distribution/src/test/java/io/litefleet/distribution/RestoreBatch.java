package io.litefleet.distribution;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many {@code litefleet restore} commands in one JVM of the built image: the image's runtime, {@code lib/} on the
 * module path and {@code plugins/} as drop-in layers, exactly as {@code bin/litefleet} starts them, but the command
 * line's {@code Main.run} called once per command instead of one process each. Each command still opens its own
 * plugins and client, as a separate {@code litefleet restore} would; only the JVM start is shared, which is most of
 * the cost of restoring hundreds of small databases. {@link #main} is the child's entry point; {@link #run} starts
 * it.
 */
final class RestoreBatch {
    private static final String SEPARATOR = "\u0001";
    /** One command's result in the child's output (which its log lines may come between). */
    private static final Pattern RESULT = Pattern.compile(SEPARATOR + "RESULT (-?\\d+)\t(.*?)" + SEPARATOR + "\n",
            Pattern.DOTALL);

    private RestoreBatch() {
    }

    /**
     * Runs each of {@code commands} (arguments of {@code litefleet}) in one child JVM of the image, with {@code env},
     * within {@code timeout}; one result per command, in order.
     */
    static List<Image.Result> run(Path dir, Map<String, String> env, List<List<String>> commands, Duration timeout)
            throws IOException, InterruptedException {
        Path input = Files.createTempFile(dir, "batch", ".txt");
        List<String> lines = new ArrayList<>();
        commands.forEach(c -> lines.add(String.join(SEPARATOR, c)));
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path home = Image.litefleet().getParent().getParent();
        Path classes = Path.of(RestoreBatch.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Image.Result r = Image.run(dir, timeout, env, home.resolve("runtime/bin/java").toString(), "-XX:+UseSerialGC",
                "-Xmx512m", "--enable-native-access=ALL-UNNAMED,org.xerial.sqlitejdbc", "--add-modules", "ALL-SYSTEM",
                "-Dlitefleet.home=" + home, "-Dlitefleet.plugins=" + home.resolve("plugins"), "-p",
                home.resolve("lib").toString(), "--add-modules", "io.litefleet.core", "--add-exports",
                "io.litefleet.core/io.litefleet.core.cli=ALL-UNNAMED", "-cp", classes.toString(),
                RestoreBatch.class.getName(), input.toString());
        List<Image.Result> out = new ArrayList<>();
        Matcher m = RESULT.matcher(r.output());
        while (m.find()) {
            out.add(new Image.Result(Integer.parseInt(m.group(1)), m.group(2)));
        }
        if (out.size() != commands.size() || r.exitCode() != 0) {
            throw new AssertionError("the batch ran " + out.size() + " of " + commands.size() + " commands (exit "
                    + r.exitCode() + "):\n" + r.output());
        }
        return out;
    }

    /** The child: runs each line of the file as a command line, printing its exit code and output. */
    public static void main(String[] args) throws Exception {
        Method run = Class.forName("io.litefleet.core.cli.Main").getMethod("run", PrintWriter.class,
                PrintWriter.class, String[].class);
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            StringWriter text = new StringWriter();
            PrintWriter w = new PrintWriter(text);
            int code = (int) run.invoke(null, w, w, (Object) line.split(SEPARATOR));
            System.out.print(SEPARATOR + "RESULT " + code + "\t" + text + SEPARATOR + "\n");
            System.out.flush();
        }
    }
}
