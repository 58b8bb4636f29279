package io.litefleet.core.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code litefleet info}: the running daemon's version, pid, uptime and database count (control socket). */
@Command(name = "info", description = {"Show daemon information from a running daemon (ours or Litestream's).",
    "  litefleet info [-socket PATH] [-timeout SECONDS] [-json]"})
final class InfoCommand extends ControlCall implements Callable<Integer> {
    @Override
    int defaultTimeout() {
        return 10;
    }

    @Override
    public Integer call() throws Exception {
        Optional<Map<String, Object>> answer = query("info");
        if (answer.isPresent()) {
            Map<String, Object> r = answer.get();
            PrintWriter out = spec.commandLine().getOut();
            out.println("Daemon " + text(r, "version"));
            out.println("  PID:        " + number(r, "pid"));
            out.println("  Uptime:     " + goDuration(number(r, "uptime_seconds")));
            out.println("  Started at: " + rfc3339(text(r, "started_at")));
            out.println("  Databases:  " + number(r, "database_count"));
            out.flush();
        }
        return 0;
    }

    /** Seconds as Go prints a duration: {@code 0s}, {@code 45s}, {@code 2m5s}, {@code 1h0m3s}. */
    static String goDuration(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? h + "h" + m + "m" + s + "s" : m > 0 ? m + "m" + s + "s" : s + "s";
    }
}
