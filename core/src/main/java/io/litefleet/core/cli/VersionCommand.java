package io.litefleet.core.cli;

import io.litefleet.core.Litefleet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code litefleet version}. */
@Command(name = "version", description = "Print the version and the runtime.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("litefleet " + Litefleet.version() + " (Java "
                + Runtime.version() + ", LTX v3, Litestream v0.5 layout)");
        return 0;
    }
}
