package io.litefleet.core.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The daemon's life with an {@code -exec} child, as upstream's: the child starts once replication has started;
 * SIGINT and SIGTERM go to the child instead of stopping replication; when the child exits, for whatever reason,
 * replication is stopped as a signal would stop it (final syncs, clean close) and the daemon exits with the child's
 * verdict ({@link ExecChild#exitCode()}).
 */
final class ExecRun {
    private static final System.Logger LOG = System.getLogger("io.litefleet.replicate");

    private ExecRun() {
    }

    /**
     * Runs {@code command} to its end.
     *
     * @param stop     the daemon's armed stop (closes replication)
     * @param onSignal where the daemon's signal handlers send SIGINT/SIGTERM; pointed at the child while it runs
     * @param every    how often {@code status} runs while waiting
     * @throws UserException when the child cannot start (replication is stopped by the caller's close) or failed
     */
    static int run(String command, StopOnce stop, AtomicReference<Consumer<String>> onSignal, Duration every,
                   Runnable status) throws InterruptedException {
        Relay relay = new Relay();
        Consumer<String> toStop = onSignal.getAndSet(relay); // from here a signal is the child's, even mid-start
        ExecChild child = null;
        try {
            child = relay.attach(ExecChild.start(command));
            while (!child.waitFor(every.toMillis())) {
                status.run();
            }
            LOG.log(System.Logger.Level.INFO, "exec process exited, litefleet shutting down");
            onSignal.set(toStop); // a signal from now on waits for the final syncs, as without -exec
            stop.run();
            return child.exitCode();
        } finally {
            onSignal.set(toStop);
            if (child != null) {
                // Replication is ending some other way (an error, an interrupt): the application must not go on
                // running unreplicated. A no-op when it has exited.
                child.end(java.time.Duration.ofSeconds(10));
            }
        }
    }

    /**
     * Where signals go while the child runs. A signal that comes while the child is being started is held and
     * forwarded as soon as it exists, so none is lost and none stops replication under a running child.
     */
    static final class Relay implements Consumer<String> {
        private ExecChild child; // guarded by this
        private String held; // guarded by this

        @Override
        public synchronized void accept(String signal) {
            if (child == null) {
                held = signal;
            } else {
                child.forward(signal);
            }
        }

        synchronized ExecChild attach(ExecChild started) {
            child = started;
            if (held != null) {
                child.forward(held);
                held = null;
            }
            return started;
        }
    }
}
