package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The extraction GrafanaDashboardIT relies on: what counts as a metric name in a query, and in an exposition. */
class DashboardQueriesTest {
    @Test
    void metricNamesOf_skipsFunctionsLabelsRangesAndKeywords() {
        assertEquals(Set.of("a_total", "b_seconds_bucket"), DashboardQueries.metricNamesOf(
                "sum by (tier, le) (rate(a_total{outcome!=\"ok\",instance=~\"$instance\"}[$__rate_interval])) "
                        + "/ on (job) group_left (x) histogram_quantile(0.99, rate(b_seconds_bucket[5m] offset 1h))"));
        assertEquals(Set.of("litefleet_fleet_databases"),
                DashboardQueries.metricNamesOf("label_values(litefleet_fleet_databases, instance)"));
        assertEquals(Set.of("up", "c"), DashboardQueries.metricNamesOf("up == bool 1 and c > 1e3"));
    }

    @Test
    void metricNames_readsEveryExprAndVariableQueryOfTheJson() {
        String json = """
                {"panels": [{"targets": [{"expr": "sum(x{a=\\"b\\"})", "legendFormat": "{{tier}}"}]}],
                 "templating": {"list": [{"query": {"query": "label_values(y, instance)"},
                                          "definition": "label_values(y, instance)"},
                                         {"type": "datasource", "query": "prometheus"}]}}""";
        assertEquals(Set.of("x", "y"), DashboardQueries.metricNames(json));
    }

    @Test
    void exposition_namesSamplesAndTypedFamiliesWithTheirHistogramSeries() {
        String text = """
                # HELP c_total a counter
                # TYPE c_total counter
                c_total{x="1"} 3
                # TYPE h_seconds histogram
                # TYPE g gauge
                g 1
                """;
        assertEquals(Set.of("c_total", "h_seconds", "h_seconds_bucket", "h_seconds_sum", "h_seconds_count", "g"),
                Exposition.names(text));
    }
}
