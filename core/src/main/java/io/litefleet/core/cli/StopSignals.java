package io.litefleet.core.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as a request to stop: the daemon flushes, closes and exits 0 (like litestream), instead of the
 * JVM's default of running shutdown hooks and exiting 143, which service managers count as a failure.
 */
final class StopSignals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopSignals() {
    }

    /**
     * Routes SIGTERM and SIGINT to {@code stop}, run on the JVM's signal thread, until {@link #close()}. Where the
     * platform does not allow it nothing is routed (the shutdown hook then still stops the daemon, with exit code
     * 143). A signal that arrives before the JVM runs {@code main} still gets the JVM's default.
     */
    static StopSignals install(Runnable stop) {
        return install(name -> stop.run());
    }

    /** As {@link #install(Runnable)}, telling {@code onSignal} which signal came ({@code TERM} or {@code INT}). */
    static StopSignals install(java.util.function.Consumer<String> onSignal) {
        StopSignals s = new StopSignals();
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                Signal signal = new Signal(name);
                s.previous.add(Signal.handle(signal, sig -> onSignal.accept(sig.getName())));
                s.signals.add(signal);
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // not allowed here: the shutdown hook is the fallback
        }
        return s;
    }

    /** Puts the previous handlers back (an embedding JVM gets its own behaviour back when the command returns). */
    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
