package io.litefleet.core.engine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@code litefleet} in a second JVM with the test's own class path, output appended to a log file. */
public final class Daemon {
    private Daemon() {
    }

    public static Process start(Path log, String... args) throws IOException {
        return start(log, java.util.Map.of(), args);
    }

    /** As {@link #start(Path, String...)} with {@code env} added to the child's environment. */
    public static Process start(Path log, java.util.Map<String, String> env, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cp = new ArrayList<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            String v = System.getProperty(prop);
            if (v != null && !v.isBlank()) {
                cp.add(v);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", String.join(File.pathSeparator, cp), "io.litefleet.core.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }
}
