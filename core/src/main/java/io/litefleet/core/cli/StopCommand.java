package io.litefleet.core.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code litefleet stop}: stops replicating a database after its final sync (control socket). */
@Command(name = "stop", description = {"Stop replication for a database (through the daemon's control socket); "
        + "waits for its final sync.", "  litefleet stop [-timeout SECONDS] [-socket PATH] [-json] DB_PATH"})
final class StopCommand extends ControlCall implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return StartCommand.startStop(this, "stop", "stopped", dbPath("stop"), timeout());
    }
}
