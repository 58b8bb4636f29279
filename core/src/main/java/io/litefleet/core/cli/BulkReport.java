package io.litefleet.core.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The summary of a bulk restore: counts by outcome, then every failure and absence with its reason; as text or
 * {@code --json}. The exit code is 1 when anything failed, else 0.
 *
 * @param output   the output directory
 * @param target   {@code latest} or the time
 * @param outcomes one per database (and per replica path that maps to none)
 * @param took     wall time
 */
record BulkReport(String output, String target, List<BulkOutcome> outcomes, Duration took) {
    /** Copies. */
    BulkReport {
        outcomes = List.copyOf(outcomes);
    }

    /** How many ended with {@code status}. */
    int count(BulkOutcome.Status status) {
        return (int) outcomes.stream().filter(o -> o.status() == status).count();
    }

    /** 1 when any database failed, else 0. */
    int exitCode() {
        return count(BulkOutcome.Status.FAILED) > 0 ? 1 : 0;
    }

    /** The text summary. */
    void print(PrintWriter out) {
        Map<BulkOutcome.Status, Integer> counts = new EnumMap<>(BulkOutcome.Status.class);
        for (BulkOutcome.Status s : BulkOutcome.Status.values()) {
            counts.put(s, count(s));
        }
        for (BulkOutcome o : outcomes) {
            if (o.status() == BulkOutcome.Status.FAILED || o.status() == BulkOutcome.Status.ABSENT) {
                out.println("  " + o.line());
            }
        }
        double secs = took.toNanos() / 1e9;
        out.printf("summary: %d databases in %.1fs (%.1f/s): %d restored, %d skipped, %d absent at %s, %d failed%s%n",
                outcomes.size(), secs, secs > 0 ? outcomes.size() / secs : 0.0, counts.get(BulkOutcome.Status.RESTORED),
                counts.get(BulkOutcome.Status.SKIPPED), counts.get(BulkOutcome.Status.ABSENT), target,
                counts.get(BulkOutcome.Status.FAILED), counts.get(BulkOutcome.Status.PLANNED) > 0
                        ? ", " + counts.get(BulkOutcome.Status.PLANNED) + " planned (dry run)" : "");
        out.flush();
    }

    /** The JSON summary. */
    String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", output);
        m.put("target", target);
        m.put("duration_ms", took.toMillis());
        for (BulkOutcome.Status s : BulkOutcome.Status.values()) {
            m.put(s.word(), count(s));
        }
        m.put("databases", outcomes.stream().map(BulkOutcome::json).toList());
        return GoJson.object(m);
    }
}
