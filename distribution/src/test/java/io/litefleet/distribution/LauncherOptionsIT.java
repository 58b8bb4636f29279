package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher's JVM options: {@code JAVA_OPTS} adds to the defaults (the last of a repeated flag wins) instead of
 * replacing them, and a collector chosen there replaces the serial one instead of making the JVM refuse to start.
 * The JVM prints the options it settled on ({@code -XX:+PrintCommandLineFlags}) before {@code version} runs.
 */
class LauncherOptionsIT {
    @TempDir
    Path dir;

    private String flags(String javaOpts) throws Exception {
        Image.Result r = Image.litefleet(dir, Map.of("JAVA_OPTS", javaOpts + " -XX:+PrintCommandLineFlags"),
                "version");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("litefleet "), "the command ran: " + r.output());
        return r.output();
    }

    @Test
    void defaults_serialCollector_heapStartsSmallAndIsCapped() throws Exception {
        String out = flags("");
        assertTrue(out.contains("-XX:+UseSerialGC"), out);
        assertTrue(out.contains("-XX:InitialHeapSize=8388608"), "heap starts at 8 MB, not RAM/64: " + out);
        assertTrue(out.contains("-XX:MaxHeapSize=1073741824"), out);
        assertTrue(out.contains("-XX:SurvivorRatio=2"), out);
        assertTrue(out.contains("-XX:-ShrinkHeapInSteps"), out);
        assertTrue(out.contains("-XX:TrimNativeHeapInterval=10000"), out);
    }

    @Test
    void javaOpts_addsToTheDefaults_lastHeapCapWins() throws Exception {
        String out = flags("-Xmx256m");
        assertTrue(out.contains("-XX:MaxHeapSize=268435456"), "the user's -Xmx wins: " + out);
        assertTrue(out.contains("-XX:+UseSerialGC"), "the default collector is kept: " + out);
        assertTrue(out.contains("-XX:InitialHeapSize=8388608"), "the default -Xms is kept: " + out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-XX:+UseG1GC", "-XX:+UseParallelGC", "-XX:+UseZGC"})
    void javaOpts_otherCollector_replacesTheSerialOne(String collector) throws Exception {
        String out = flags(collector);
        assertTrue(out.contains(collector), out);
        assertFalse(out.contains("-XX:+UseSerialGC"), "two collectors: " + out);
        assertTrue(out.contains("-XX:MaxHeapSize=1073741824"), "the heap cap is kept: " + out);
    }

    @Test
    void jdkJavaOptions_otherCollector_replacesTheSerialOne() throws Exception {
        // The java launcher reads JDK_JAVA_OPTIONS itself: a collector there plus the default serial one would make
        // the JVM refuse to start ("multiple garbage collectors selected").
        Image.Result r = Image.litefleet(dir, Map.of("JDK_JAVA_OPTIONS", "-XX:+UseG1GC",
                "JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "version");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("-XX:+UseG1GC"), r.output());
        assertFalse(r.output().contains("-XX:+UseSerialGC"), "two collectors: " + r.output());
    }

    @Test
    void mallocArenas_cappedForTheJvm_notForTheExecChild() throws Exception {
        // The child prints its own MALLOC_ARENA_MAX and its parent's (the JVM's, from /proc).
        String probe = "sh -c 'echo child=${MALLOC_ARENA_MAX-unset}; "
                + "echo jvm=$(tr \\\\0 \\\\n < /proc/$PPID/environ | grep ^MALLOC_ARENA_MAX= | cut -d= -f2)'";
        Image.Result r = Image.litefleet(dir, Map.of(), "replicate", "-exec", probe,
                dir.resolve("app.db").toString(), "file://" + dir.resolve("replica"));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("jvm=2"), "the JVM runs with two arenas: " + r.output());
        assertTrue(r.output().contains("child=unset"), "the application keeps its own environment: " + r.output());

        Image.Result own = Image.litefleet(dir, Map.of("MALLOC_ARENA_MAX", "4"), "replicate", "-exec", probe,
                dir.resolve("app.db").toString(), "file://" + dir.resolve("replica"));
        assertEquals(0, own.exitCode(), own.output());
        assertTrue(own.output().contains("jvm=4"), "the user's value wins: " + own.output());
        assertTrue(own.output().contains("child=4"), "and reaches the application: " + own.output());
    }
}
