package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.server.VersityGwExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk restore from S3 (versitygw): the design's template {@code {{project}}/{{database}}/{{branch}}/{{tenant}}}
 * (no fixed prefix: the whole bucket is listed, in S3's {@code <path>/<level hex>/} layout), 20 databases shipped by
 * the image's {@code replicate}; on a "new machine" (no state directory, no sources needed) {@code restore --all}
 * maps every replica back to its database path and restores it equal to its source, and {@code verify} passes.
 */
class S3BulkRestoreIT {
    private static final String BUCKET = "bulk";

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    @TempDir
    Path dir;

    @Test
    void designTemplateOnS3_restoreAllOnANewMachine_everyDatabaseEqual_andVerifyPasses() throws Exception {
        FleetWorkload fleet = FleetWorkload.create(dir.resolve("data"), 2, 2, 5, new Random(12));
        Map<String, String> env = new HashMap<>(S3.gw().childEnvironment());
        env.put("XDG_DATA_HOME", dir.resolve("xdg").toString());
        Process daemon = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config",
                config(fleet, "state").toString()), env, dir.resolve("replicate.log")).start();
        try {
            Await.until(Duration.ofSeconds(90), "every database shipped", () -> fleet.databases().stream()
                    .allMatch(db -> Files.isDirectory(S3.gw().bucketDir(BUCKET).resolve(fleet.replicaPath(db))
                            .resolve("0000"))));
        } finally {
            assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), Files.readString(dir.resolve("replicate.log")));
        }
        Path newMachine = config(fleet, "lost-state");
        Path out = dir.resolve("restore");
        Image.Result r = Image.litefleet(dir, env, "restore", "-config", newMachine.toString(), "-o", out.toString(),
                "--all");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("20 restored, 0 skipped, 0 absent at latest, 0 failed"), r.output());
        for (Path db : fleet.databases()) {
            Path restored = out.resolve(db.toString().substring(1));
            assertEquals(DbContent.hash(db), DbContent.hash(restored), restored.toString());
            assertEquals("ok", DbContent.integrityCheck(restored), restored.toString());
        }
        Image.Result v = Image.litefleet(dir, env, "verify", "-config", newMachine.toString(), "-json");
        assertEquals(0, v.exitCode(), v.output());
        assertTrue(v.output().contains("verified 20 databases: 20 ok, 0 failed"), v.output());
    }

    private Path config(FleetWorkload fleet, String state) throws Exception {
        return Files.writeString(dir.resolve(state + ".yml"), """
                state-dir: %s
                multi-db:
                  patterns: ["%s"]
                  replica-template:
                    type: s3
                    bucket: %s
                    path: "{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    endpoint: %s
                    region: us-east-1
                    force-path-style: true
                """.formatted(dir.resolve(state), fleet.pattern(), BUCKET, S3.gw().endpoint()));
    }
}
