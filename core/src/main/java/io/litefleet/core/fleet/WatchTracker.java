package io.litefleet.core.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the fleet knows about its file-system watch, and the full-scan interval that follows from it: the long
 * full-scan interval while watching is {@link WatchHealth#HEALTHY}, the scan interval otherwise. Lost events make the
 * watch untrusted for one scan interval after the last loss; an incomplete watch stays untrusted. Fleet thread only.
 */
final class WatchTracker {
    private final Duration scanInterval;
    private final Duration fullScanInterval;
    private boolean on;
    private boolean incomplete;
    private Instant lastLoss;
    private String reason = "";

    WatchTracker(Duration scanInterval, Duration fullScanInterval) {
        this.scanInterval = Objects.requireNonNull(scanInterval, "scanInterval");
        this.fullScanInterval = Objects.requireNonNull(fullScanInterval, "fullScanInterval");
    }

    /** Whether the discovery started watching. */
    void started(boolean watching) {
        on = watching;
        if (!watching) {
            reason = "the discovery cannot watch";
        }
    }

    /** Events were lost at {@code now}. */
    void lost(Instant now, String why) {
        lastLoss = now;
        reason = why;
    }

    /** Some directories are not watched, for good. */
    void incomplete(String why) {
        incomplete = true;
        reason = why;
    }

    WatchHealth health(Instant now) {
        if (!on) {
            return WatchHealth.OFF;
        }
        if (incomplete) {
            return WatchHealth.INCOMPLETE;
        }
        if (lastLoss != null && Duration.between(lastLoss, now).compareTo(scanInterval) < 0) {
            return WatchHealth.LOST_EVENTS;
        }
        return WatchHealth.HEALTHY;
    }

    /** Why the watch is not healthy (the last reason reported); empty while it is. */
    String reason(Instant now) {
        return health(now).trusted() ? "" : reason;
    }

    /** The time to the next full scan from a scan at {@code now}. */
    Duration interval(Instant now) {
        return health(now).trusted() ? fullScanInterval : scanInterval;
    }
}
