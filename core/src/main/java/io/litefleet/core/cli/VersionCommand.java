package io.litefleet.core.cli;

import io.litefleet.core.Litefleet;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code litefleet version [-verbose]}. */
@Command(name = "version", description = "Print the version and the runtime.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-verbose", "--verbose"}, description = "Print build details, one per line, as upstream does "
            + "(version, Java runtime, OS/arch).")
    boolean verbose;

    @Option(names = {"-json", "--json"}, description = "One JSON object: version, java, java_home, format, os, arch.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("version", Litefleet.version());
            m.put("java", Runtime.version().toString());
            m.put("java_home", System.getProperty("java.home"));
            m.put("format", "LTX v3, Litestream v0.5 layout");
            m.put("os", goOs(System.getProperty("os.name", "")));
            m.put("arch", goArch(System.getProperty("os.arch", "")));
            out.println(io.litefleet.core.control.Json.writeIndented(m));
            return 0;
        }
        if (!verbose) {
            out.println("litefleet " + Litefleet.version() + " (Java " + Runtime.version()
                    + ", LTX v3, Litestream v0.5 layout)");
            return 0;
        }
        // Upstream's labels where the fact exists here (Version, OS/Arch); the Java runtime stands for its Go one.
        out.printf("Version:     %s%n", Litefleet.version());
        out.printf("Java:        %s (%s)%n", Runtime.version(), System.getProperty("java.vendor", "unknown vendor"));
        out.printf("Java Home:   %s%n", System.getProperty("java.home"));
        out.printf("Format:      LTX v3, Litestream v0.5 layout%n");
        out.printf("OS/Arch:     %s/%s%n", goOs(System.getProperty("os.name", "")),
                goArch(System.getProperty("os.arch", "")));
        return 0;
    }

    /** Go's GOOS spelling of a Java {@code os.name}. */
    static String goOs(String osName) {
        String n = osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("mac")) {
            return "darwin";
        }
        if (n.startsWith("windows")) {
            return "windows";
        }
        return n.replace(" ", "");
    }

    /** Go's GOARCH spelling of a Java {@code os.arch}. */
    static String goArch(String osArch) {
        return switch (osArch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> osArch;
        };
    }
}
