package io.litefleet.distribution;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape of a Prometheus text endpoint, reduced to the series names a query may use: every sample's name, and
 * each {@code # TYPE} line's family name, with a histogram's {@code _bucket}, {@code _sum}, {@code _count} and a
 * summary's {@code _sum}, {@code _count}, so a family that has no sample yet still counts as exported.
 */
final class Exposition {
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)", Pattern.MULTILINE);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Exposition() {
    }

    /** GETs {@code url}; its body, or an {@link IOException} naming the status. */
    static String scrape(URI url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The names a query may use against this exposition text. */
    static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher s = SAMPLE.matcher(text);
        while (s.find()) {
            names.add(s.group(1));
        }
        Matcher t = TYPE.matcher(text);
        while (t.find()) {
            String n = t.group(1);
            names.add(n);
            switch (t.group(2)) {
                case "histogram" -> names.addAll(Set.of(n + "_bucket", n + "_sum", n + "_count"));
                case "summary" -> names.addAll(Set.of(n + "_sum", n + "_count"));
                default -> {
                }
            }
        }
        return names;
    }
}
