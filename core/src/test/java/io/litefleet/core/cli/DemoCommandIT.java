package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command: {@code litefleet demo} shows tiers moving and a verified restore. */
class DemoCommandIT {
    @TempDir
    Path dir;

    private String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, rc, out + "\n" + err);
        return out.toString();
    }

    @Test
    void fleetDemo_promotesDemotesEvicts_andRestoresIdentical() {
        String out = run("demo", "--dir", dir.resolve("fleet").toString(), "--seconds", "8");
        Matcher m = Pattern.compile("stopped: known=(\\d+) hot=0 cold=\\d+ promotions=(\\d+) demotions=(\\d+) "
                + "evictions=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(80, Integer.parseInt(m.group(1)), out);
        assertTrue(Integer.parseInt(m.group(2)) > 0 && Integer.parseInt(m.group(3)) > 0, out);
        assertTrue(out.contains("-> IDENTICAL"), out);
    }

    @Test
    void singleDemo_restoresIdentical() {
        String out = run("demo", "--single", "--dir", dir.resolve("single").toString(), "--seconds", "3");
        assertTrue(out.contains("IDENTICAL"), out);
    }
}
