package io.litefleet.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {
    private final S3Errors errors = new S3Errors("s3://bkt", List.of("hunter2-secret"));

    private static S3Exception service(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status).awsErrorDetails(
                AwsErrorDetails.builder().errorCode(code).errorMessage("msg").build()).build();
    }

    @ParameterizedTest
    @CsvSource({"404,NoSuchKey,NOT_FOUND", "404,NoSuchBucket,NOT_FOUND", "412,PreconditionFailed,PRECONDITION_FAILED",
            "409,ConditionalRequestConflict,PRECONDITION_FAILED", "503,SlowDown,THROTTLED", "503,,THROTTLED",
            "429,TooManyRequests,THROTTLED", "403,AccessDenied,AUTH", "403,SignatureDoesNotMatch,AUTH",
            "400,ExpiredToken,AUTH", "404,XAdminUserNotFound,AUTH", "500,InternalError,UNAVAILABLE",
            "502,,UNAVAILABLE", "503,ServiceUnavailable,THROTTLED", "400,RequestTimeout,UNAVAILABLE",
            "400,InvalidArgument,INVALID", "301,PermanentRedirect,INVALID", "400,IncompleteBody,IO"})
    void serviceErrors_mapByStatusAndCode(int status, String code, ReplicaFailure kind) {
        assertEquals(kind, S3Errors.kind(service(status, code == null ? "" : code)));
    }

    @Test
    void clientErrors_connectionIsUnavailable_bodyIsIo_credentialsAreAuth() {
        assertEquals(ReplicaFailure.UNAVAILABLE, S3Errors.kind(SdkClientException.create("Unable to execute HTTP "
                + "request", new ConnectException("Connection refused"))));
        assertEquals(ReplicaFailure.IO, S3Errors.kind(SdkClientException.create("x",
                new BodySourceException("the body ended after 100 of its declared 200 bytes"))));
        assertEquals(ReplicaFailure.AUTH, S3Errors.kind(SdkClientException.create("Unable to load credentials from "
                + "any of the providers in the chain")));
    }

    @Test
    void messages_nameTheObject_andNeverTheSecret() {
        ReplicaException e = errors.map("put", "db/0000/x.ltx", service(403, "SignatureDoesNotMatch").toBuilder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("SignatureDoesNotMatch")
                        .errorMessage("echoed hunter2-secret").build()).build());
        assertEquals("AUTH: put 's3://bkt/db/0000/x.ltx': HTTP 403 SignatureDoesNotMatch: echoed ***", e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
        assertTrue(errors.map("list", "", SdkClientException.create("boom")).getMessage()
                .contains("list 's3://bkt': boom"));
    }

    @Test
    void missingCredentials_sayWhereTheyCanCome() {
        ReplicaException e = errors.map("list", "p/", SdkClientException.create("Unable to load credentials from any "
                + "of the providers in the chain AwsCredentialsProviderChain(...)"));
        assertEquals(ReplicaFailure.AUTH, e.failure());
        assertTrue(e.getMessage().startsWith("AUTH: list 's3://bkt/p/': no credentials: set 'access-key-id'"),
                e.getMessage());
    }

    @Test
    void redirect_saysToSetTheRegion() {
        assertTrue(errors.map("get", "k", service(301, "PermanentRedirect")).getMessage().contains("set 'region'"));
    }
}
