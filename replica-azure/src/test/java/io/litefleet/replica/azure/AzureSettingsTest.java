package io.litefleet.replica.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.models.BlobErrorCode;
import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AzureSettingsTest {
    private static final String KEY = "c2VjcmV0LWFjY291bnQta2V5LXZhbHVl";
    private static final String SAS = "sv=2021-08-06&ss=b&sig=c2VjcmV0LXNpZw%3D%3D";

    private static AzureSettings of(Map<String, String> env, String... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return AzureSettings.of(Settings.of("litefleet.yml: dbs[0].replica", m), env);
    }

    @Test
    void accountOnly_defaultsToTheAzureEndpointAndTheDefaultChain() {
        AzureSettings s = of(Map.of(), "bucket", "backups", "account-name", "acct");
        assertEquals("https://acct.blob.core.windows.net", s.endpoint());
        assertInstanceOf(AzureSettings.DefaultChain.class, s.credential());
        assertEquals("abs://acct@backups", s.describe());
    }

    @Test
    void noAccountAndNoEndpoint_namesBothKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "backups"));
        assertTrue(e.getMessage().contains("litefleet.yml: dbs[0].replica") && e.getMessage().contains("'account-name'")
                && e.getMessage().contains("'endpoint'"), e.getMessage());
    }

    @Test
    void sasToken_winsOverTheKey_asUpstreamChooses() {
        AzureSettings s = of(Map.of(), "bucket", "b0x", "account-name", "acct", "account-key", KEY, "sas-token",
                "?" + SAS);
        assertEquals(new AzureSettings.Sas(SAS), s.credential(), "leading '?' dropped");
    }

    @Test
    void environment_givesTheKeyOrTheToken() {
        assertEquals(new AzureSettings.SharedKey("acct", KEY), of(Map.of(AzureSettings.ENV_ACCOUNT_KEY, KEY),
                "bucket", "b0x", "account-name", "acct").credential());
        assertEquals(new AzureSettings.Sas(SAS), of(Map.of(AzureSettings.ENV_SAS_TOKEN, SAS,
                AzureSettings.ENV_ACCOUNT_KEY, KEY), "bucket", "b0x", "account-name", "acct").credential());
        assertEquals(new AzureSettings.SharedKey("acct", "a2V5"), of(Map.of(AzureSettings.ENV_ACCOUNT_KEY, KEY),
                "bucket", "b0x", "account-name", "acct", "account-key", "a2V5").credential(), "the file wins");
    }

    @Test
    void keyWithoutAccount_isRefusedWithoutShowingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "b0x", "endpoint",
                "http://127.0.0.1:1/acct", "account-key", KEY));
        assertTrue(e.getMessage().contains("'account-name'"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void keyThatIsNotBase64_isRefusedWithoutShowingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "b0x", "account-name",
                "acct", "account-key", "not base64!secret"));
        assertTrue(e.getMessage().contains("not base64"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void defaultChainOverPlainHttp_isRefusedSayingWhatToGive() {
        ConfigException e = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "b0x", "endpoint",
                "http://127.0.0.1:10000/acct"));
        assertTrue(e.getMessage().contains("'account-key'") && e.getMessage().contains("'sas-token'"), e.getMessage());
    }

    @Test
    void badValues_areNamedWithTheirKey() {
        ConfigException c = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "Bad_Name",
                "account-name", "acct"));
        assertTrue(c.getMessage().contains("'bucket'") && c.getMessage().contains("'Bad_Name'"), c.getMessage());
        ConfigException a = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "b0x",
                "account-name", "Acct!"));
        assertTrue(a.getMessage().contains("'account-name'") && a.getMessage().contains("'Acct!'"), a.getMessage());
        ConfigException u = assertThrows(ConfigException.class, () -> of(Map.of(), "bucket", "b0x",
                "account-name", "acct", "endpoint", "https://acct.blob.core.windows.net/?" + SAS));
        assertTrue(u.getMessage().contains("'endpoint'"), u.getMessage());
        assertFalse(u.getMessage().contains("sig="), "a SAS pasted into the endpoint is not echoed: " + u.getMessage());
    }

    @Test
    void toString_andDescribe_neverShowSecrets() {
        AzureSettings k = of(Map.of(), "bucket", "b0x", "account-name", "acct", "account-key", KEY);
        AzureSettings t = of(Map.of(), "bucket", "b0x", "account-name", "acct", "sas-token", SAS);
        for (AzureSettings s : new AzureSettings[] {k, t}) {
            assertFalse(s.toString().contains(KEY) || s.toString().contains("c2VjcmV0LXNpZw"), s.toString());
            assertFalse(s.credential().toString().contains(KEY), s.credential().toString());
        }
        assertEquals(Set.of(KEY), k.secrets());
        assertEquals(Set.of(SAS), t.secrets());
    }

    @Test
    void errors_scrubTheKeyTheTokenAndAnySignature() {
        AzureErrors errors = new AzureErrors("abs://acct@b0x", Set.of(KEY, SAS));
        String text = "GET http://h/b0x/k?" + SAS + " with key " + KEY + " and ?sv=1&sig=other%2Bsig&se=2";
        String scrubbed = errors.scrub(text);
        assertFalse(scrubbed.contains(KEY) || scrubbed.contains("c2VjcmV0LXNpZw") || scrubbed.contains("other"),
                scrubbed);
        ReplicaException e = errors.of(ReplicaFailure.INVALID, "put", "db/ltx/0/x.ltx", text);
        assertTrue(e.getMessage().startsWith("INVALID: abs://acct@b0x/db/ltx/0/x.ltx: put: "), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void statuses_mapToWhatRetryLogicNeeds() {
        assertEquals(ReplicaFailure.AUTH, AzureErrors.status(403, BlobErrorCode.AUTHENTICATION_FAILED));
        assertEquals(ReplicaFailure.NOT_FOUND, AzureErrors.status(404, BlobErrorCode.CONTAINER_NOT_FOUND));
        assertEquals(ReplicaFailure.PRECONDITION_FAILED, AzureErrors.status(409, BlobErrorCode.BLOB_ALREADY_EXISTS));
        assertEquals(ReplicaFailure.PRECONDITION_FAILED, AzureErrors.status(412, BlobErrorCode.CONDITION_NOT_MET));
        assertEquals(ReplicaFailure.INVALID, AzureErrors.status(409, BlobErrorCode.LEASE_ID_MISSING));
        assertEquals(ReplicaFailure.THROTTLED, AzureErrors.status(503, BlobErrorCode.SERVER_BUSY));
        assertEquals(ReplicaFailure.THROTTLED, AzureErrors.status(500, BlobErrorCode.OPERATION_TIMED_OUT));
        assertEquals(ReplicaFailure.UNAVAILABLE, AzureErrors.status(500, BlobErrorCode.INTERNAL_ERROR));
        assertEquals(ReplicaFailure.INVALID, AzureErrors.status(400, BlobErrorCode.INVALID_HEADER_VALUE));
    }
}
