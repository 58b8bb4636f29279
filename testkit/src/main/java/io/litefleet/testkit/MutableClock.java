package io.litefleet.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves by hand, in UTC, for code that takes an injected {@link Clock}: time-driven behaviour is
 * tested by advancing it, never by waiting. Thread-safe (the instant is volatile), so a component's own thread may
 * read it while the test advances it.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    /** A clock at {@code start}. */
    public MutableClock(Instant start) {
        this.now = start;
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    /** Sets the clock. */
    public void set(Instant t) {
        now = t;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
