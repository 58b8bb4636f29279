package io.litefleet.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.testkit.InMemoryReplicaClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.RetryPolicy;

class ReplicaListingTest {
    private static final Instant UPLOAD = Instant.parse("2026-05-01T00:00:00Z");
    private static final Instant STAMP = Instant.parse("2026-04-30T23:59:00Z");

    @Test
    void list_keepsLtxFilesOfEveryLevel_andSkipsTempForeignNestedAndOtherDatabases() throws Exception {
        InMemoryReplicaClient c = InMemoryReplicaClient.create(Clock.fixed(UPLOAD, ZoneOffset.UTC));
        ReplicaTarget t = new ReplicaTarget(c, ReplicaLayout.HEX_LEVEL_DIRS, "a/db");
        ObjectBody body = ObjectBody.of(new byte[123]);
        c.put("a/db/0000/0000000000000001-0000000000000001.ltx", body, PutOptions.DEFAULT.withTimestamp(STAMP));
        c.put("a/db/0000/0000000000000002-0000000000000003.ltx", body, PutOptions.DEFAULT);
        c.put("a/db/0009/0000000000000001-0000000000000003.ltx", body, PutOptions.DEFAULT);
        c.put("a/db/0000/0000000000000004-0000000000000004.ltx.tmp", body, PutOptions.DEFAULT);
        c.put("a/db/0000/0000000000000000-0000000000000004.ltx", body, PutOptions.DEFAULT);
        c.put("a/db/0000/0000000000000005-0000000000000004.ltx", body, PutOptions.DEFAULT);
        c.put("a/db/0000/nested/0000000000000006-0000000000000006.ltx", body, PutOptions.DEFAULT);
        c.put("a/db/0000/README", body, PutOptions.DEFAULT);
        c.put("a/db/000a/0000000000000001-0000000000000009.ltx", body, PutOptions.DEFAULT);
        c.put("a/db2/0000/0000000000000001-0000000000000001.ltx", body, PutOptions.DEFAULT);
        // This store's listings leave metadata out (allowed by the SPI), so they show the upload time.
        assertEquals(java.util.List.of(new LtxFileRef(0, 1, 1, UPLOAD, 123), new LtxFileRef(0, 2, 3, UPLOAD, 123),
                new LtxFileRef(9, 1, 3, UPLOAD, 123)), ReplicaListing.list(t, RetryPolicy.DEFAULT));
    }

    @Test
    void list_fileBackend_showsTheLitestreamTimestampAsTheFileTime(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        try (var c = new io.litefleet.core.file.FileReplicaClientProvider().create(io.litefleet.api.Settings.of(
                "test", java.util.Map.of("root", dir.toString())))) {
            ReplicaTarget t = new ReplicaTarget(c, ReplicaLayout.LTX_DIRS, "");
            c.put(t.key(0, 1, 2), ObjectBody.of(new byte[9]), PutOptions.DEFAULT.withTimestamp(STAMP));
            assertEquals(java.util.List.of(new LtxFileRef(0, 1, 2, STAMP, 9)), ReplicaListing.list(t,
                    RetryPolicy.DEFAULT));
        }
    }

    @Test
    void list_fileLayout_readsLtxLevelDirectories() throws Exception {
        InMemoryReplicaClient c = InMemoryReplicaClient.create(Clock.fixed(UPLOAD, ZoneOffset.UTC));
        ReplicaTarget t = new ReplicaTarget(c, ReplicaLayout.LTX_DIRS, "");
        c.put("ltx/1/0000000000000001-00000000000000ff.ltx", ObjectBody.of(new byte[7]), PutOptions.DEFAULT);
        assertEquals(java.util.List.of(new LtxFileRef(1, 1, 255, UPLOAD, 7)), ReplicaListing.list(t,
                RetryPolicy.DEFAULT));
    }
}
