package io.litefleet.core.cli;

import io.litefleet.core.config.SocketConfig;
import io.litefleet.core.control.ControlClient;
import io.litefleet.core.control.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What the control commands ({@code sync}, {@code start}, {@code stop}, {@code register}, {@code unregister},
 * {@code info}, {@code list}) share: upstream's {@code -socket}, {@code -timeout} and {@code -json} flags, the
 * request to the daemon (ours or upstream's), and upstream's error wording ("sync failed: ...", exit code 1).
 */
abstract class ControlCall {
    /** Extra time the client waits beyond the daemon's own timeout, so the daemon's clearer message wins. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Option(names = {"-socket", "--socket"}, paramLabel = "PATH",
            description = "Path to control socket (default: /var/run/litestream.sock).")
    Path socket = SocketConfig.DEFAULT_PATH;

    @Option(names = {"-json", "--json"}, description = "Output raw JSON instead of human-readable text.")
    boolean json;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "SECONDS", description = "Maximum time to wait in "
            + "seconds (default: 30; info and list: 10).")
    Integer timeout;

    @Parameters(arity = "0..*", paramLabel = "DB_PATH", hidden = true)
    List<String> args = new ArrayList<>();

    /** {@code -timeout}, or the command's default. */
    int timeout() {
        return timeout == null ? defaultTimeout() : timeout;
    }

    /** Upstream's default {@code -timeout} of the command. */
    int defaultTimeout() {
        return 30;
    }

    /** The one database path argument, made absolute here (the daemon may run in another directory). */
    String dbPath(String command) {
        if (args.isEmpty()) {
            throw new UserException("database path required\nTry: litefleet " + command + " /path/to/db");
        }
        if (args.size() > 1) {
            throw new UserException("too many arguments");
        }
        String p = args.get(0);
        if (p.equals("~") || p.startsWith("~/")) {
            p = System.getProperty("user.home") + p.substring(1);
        }
        return Path.of(p).toAbsolutePath().normalize().toString();
    }

    void noArguments() {
        if (!args.isEmpty()) {
            throw new UserException("too many arguments");
        }
    }

    static int positive(int timeout) {
        if (timeout <= 0) {
            throw new UserException("timeout must be greater than 0");
        }
        return timeout;
    }

    /** Sends the request; answers the body of a 200, fails with "{@code what} failed: the daemon's error" else. */
    Map<String, Object> call(String what, String method, String target, Map<String, Object> body, int timeoutSeconds)
            throws IOException {
        ControlClient.Response r = ControlClient.call(socket, method, target, body == null ? null : Json.write(body),
                Duration.ofSeconds(timeoutSeconds).plus(GRACE));
        if (r.status() != 200) {
            throw new UserException(what + " failed: " + r.error());
        }
        return r.json();
    }

    /**
     * {@code info} and {@code list}: no argument, {@code GET /what}; with {@code -json} the answer is printed as it
     * came (indented) and nothing is returned, else the answer is returned for the command to print.
     */
    java.util.Optional<Map<String, Object>> query(String what) throws IOException {
        noArguments();
        Map<String, Object> r = call(what, "GET", "/" + what, null, positive(timeout()));
        if (!json) {
            return java.util.Optional.of(r);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.writeIndented(r));
        out.flush();
        return java.util.Optional.empty();
    }

    /** Prints {@code fields} as upstream does: indented JSON with {@code -json}, else one {@code key: value} a line. */
    void print(Map<String, Object> fields) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.writeIndented(fields));
        } else {
            fields.forEach((k, v) -> out.println(k + ": " + v));
        }
        out.flush();
    }

    /** A timestamp as Go prints RFC 3339: to the second, {@code Z} or the offset. */
    static String rfc3339(String text) {
        try {
            return java.time.OffsetDateTime.parse(text).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (java.time.format.DateTimeParseException e) {
            return text;
        }
    }

    static long number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    static String text(Map<String, Object> m, String key) {
        return m.get(key) instanceof String s ? s : "";
    }
}
