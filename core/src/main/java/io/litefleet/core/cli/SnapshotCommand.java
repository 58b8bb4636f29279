package io.litefleet.core.cli;

import io.litefleet.core.Litefleet;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.control.ControlClient;
import io.litefleet.core.control.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet snapshot}: writes a snapshot of a database's current state to each of its replicas now. When a
 * daemon answers on the control socket ({@code -socket}, else the config's {@code socket:}), it is asked ({@code POST
 * /snapshot}: it ships what is committed, then snapshots, a fleet database hot or cold too); otherwise the command does it itself, taking the state
 * directory's locks as {@code replicate} does (so it refuses while a daemon without a socket holds them).
 */
@Command(name = "snapshot", description = {"Force a snapshot of a database to its replicas now (through the daemon "
        + "when one answers on the control socket, else directly).",
    "  litefleet snapshot [-config PATH] [-no-expand-env] [-socket PATH] [-timeout SECONDS] [-json] DB_PATH"})
final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = {"-socket", "--socket"}, paramLabel = "PATH", description = "The daemon's control socket "
            + "(default: the config's socket: path when enabled).")
    Path socket;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "SECONDS", description = "Maximum time to wait for "
            + "the daemon in seconds (default: 30).")
    int timeout = 30;

    @Option(names = {"-json", "--json"}, description = "Output raw JSON instead of human-readable text.")
    boolean json;

    @CommandLine.Mixin
    DirOptions dirs = new DirOptions();

    @Parameters(arity = "0..*", paramLabel = "DB_PATH", description = "The database, as configured.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new UserException(args.isEmpty() ? "database path required\nTry: litefleet snapshot -config "
                    + "/etc/litestream.yml /path/to/db" : "too many arguments");
        }
        ControlCall.positive(timeout);
        Path db = Path.of(args.get(0)).toAbsolutePath().normalize();
        LitefleetConfig c = configOption.orDefault().load();
        Path via = socket != null ? socket : c.socket().enabled() ? c.socket().path() : null;
        Map<String, Object> out = via != null && ControlClient.isListening(via) ? throughDaemon(via, db)
                : direct(c, db);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(Json.writeIndented(out));
        } else {
            out.forEach((k, v) -> w.println(k + ": " + v));
        }
        w.flush();
        return 0;
    }

    private Map<String, Object> throughDaemon(Path via, Path db) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("path", db.toString());
        req.put("timeout", (long) timeout);
        ControlClient.Response r = ControlClient.call(via, "POST", "/snapshot", Json.write(req),
                Duration.ofSeconds(timeout + 5L));
        if (r.status() != 200) {
            throw new UserException("snapshot failed: " + r.error());
        }
        Map<String, Object> m = r.json();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("db_path", ControlCall.text(m, "path"));
        out.put("txid", String.format("%016x", ControlCall.number(m, "txid")));
        out.put("snapshots", ControlCall.number(m, "snapshots"));
        out.put("via", "daemon");
        return out;
    }

    private Map<String, Object> direct(LitefleetConfig c, Path db) throws IOException {
        Path state = dirs.state(c);
        Litefleet.Builder b = Litefleet.builder().config(c).stateDir(state);
        dirs.plugins().ifPresent(b::pluginsDir);
        List<Litefleet.SyncOutcome> outcomes;
        try {
            outcomes = b.only(db).syncOnce(true, false);
        } catch (IOException e) {
            throw new IOException("snapshot failed: " + e.getMessage() + " (a daemon holds the state directory? "
                    + "give it a control socket, socket: {enabled: true} in the config, and this command asks it)", e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("db_path", db.toString());
        long txid = Long.MAX_VALUE;
        for (Litefleet.SyncOutcome o : outcomes) {
            if (o.error().isPresent()) {
                throw new UserException("snapshot failed: " + db + ": " + o.error().get());
            }
            txid = Math.min(txid, o.txid());
        }
        out.put("txid", String.format("%016x", txid));
        out.put("replicas", outcomes.size());
        out.put("via", "direct");
        return out;
    }
}
