package io.litefleet.core.metric;

import io.litefleet.core.engine.DurationHistogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.util.Arrays;

/**
 * Builds one family's snapshot, sample by sample, for the Prometheus client to write. The kind decides how the
 * client writes the name: a {@link Kind#COUNTER} named {@code x} or {@code x_total} is written {@code x_total}; an
 * {@link Kind#UNTYPED} family is written exactly as named (upstream's counters without {@code _total} keep their
 * names that way). Labels alternate names and values. Not thread-safe; one per family per scrape.
 */
final class Samples {
    /** How the family is typed. */
    enum Kind {
        /** A value that goes up and down. */
        GAUGE,
        /** A monotonic total, written with {@code _total}. */
        COUNTER,
        /** A monotonic total under a name without {@code _total}, written as named, typed {@code untyped}. */
        UNTYPED,
        /** Durations in buckets. */
        HISTOGRAM
    }

    private final Kind kind;
    private final String name;
    private final String help;
    private final GaugeSnapshot.Builder gauges = GaugeSnapshot.builder();
    private final CounterSnapshot.Builder counters = CounterSnapshot.builder();
    private final UnknownSnapshot.Builder untyped = UnknownSnapshot.builder();
    private final HistogramSnapshot.Builder histograms = HistogramSnapshot.builder();

    private Samples(Kind kind, String name, String help) {
        this.kind = kind;
        this.name = name;
        this.help = help;
    }

    static Samples gauge(String name, String help) {
        return new Samples(Kind.GAUGE, name, help);
    }

    static Samples counter(String name, String help) {
        return new Samples(Kind.COUNTER, name, help);
    }

    static Samples untyped(String name, String help) {
        return new Samples(Kind.UNTYPED, name, help);
    }

    static Samples histogram(String name, String help) {
        return new Samples(Kind.HISTOGRAM, name, help);
    }

    /** One sample of a gauge, counter or untyped family. */
    Samples add(double value, String... labels) {
        Labels l = Labels.of(labels);
        switch (kind) {
            case GAUGE -> gauges.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(l)
                    .build());
            case COUNTER -> counters.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value)
                    .labels(l).build());
            case UNTYPED -> untyped.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder().value(value)
                    .labels(l).build());
            case HISTOGRAM -> throw new IllegalStateException(name + " is a histogram: add(Snapshot, ...)");
            default -> throw new IllegalStateException("unknown kind");
        }
        return this;
    }

    /** One series of a histogram family. */
    Samples add(DurationHistogram.Snapshot h, String... labels) {
        if (kind != Kind.HISTOGRAM) {
            throw new IllegalStateException(name + " is not a histogram");
        }
        double[] bounds = Arrays.copyOf(h.bounds(), h.bounds().length + 1);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        histograms.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.counts())).sum(h.sumSeconds())
                .labels(Labels.of(labels)).build());
        return this;
    }

    /** The family (a family without samples is not written at all). */
    MetricSnapshot build() {
        return switch (kind) {
            case GAUGE -> gauges.name(name).help(help).build();
            case COUNTER -> counters.name(name).help(help).build();
            case UNTYPED -> untyped.name(name).help(help).build();
            case HISTOGRAM -> histograms.name(name).help(help).build();
        };
    }
}
