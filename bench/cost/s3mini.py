"""The smallest S3 client the cost benchmark needs: PUT and GET of one object, path-style, AWS Signature V4.

Stdlib only (http.client, hmac, hashlib), so the "ultra-simple" baseline costs one Python process and nothing to
install; a boto3 client would add about 60 MB of RSS and a second of start-up to the baseline's own figures, which
is not what the design's baseline is about. One S3 object per call, one keep-alive connection per instance (not
thread-safe: one instance per thread). The payload is signed with its real SHA-256 (databases here are small).
"""
import datetime
import hashlib
import hmac
import http.client
import urllib.parse


class S3:
    def __init__(self, endpoint, bucket, access_key, secret_key, region="us-east-1", timeout=60):
        u = urllib.parse.urlsplit(endpoint)
        self.host, self.port = u.hostname, u.port or 80
        self.bucket, self.ak, self.sk, self.region, self.timeout = bucket, access_key, secret_key, region, timeout
        self.conn = None

    def _headers(self, method, path, body):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        payload = hashlib.sha256(body).hexdigest()
        host = f"{self.host}:{self.port}"
        signed = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
        names = ";".join(sorted(signed))
        canonical = "\n".join([method, path, "", "".join(f"{k}:{signed[k]}\n" for k in sorted(signed)), names, payload])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + self.sk).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        signed["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.ak}/{scope}, SignedHeaders={names}, "
                                   f"Signature={sig}")
        return signed

    def _call(self, method, key, body=b""):
        path = "/" + urllib.parse.quote(f"{self.bucket}/{key}", safe="/~")
        headers = self._headers(method, path, body)
        for attempt in (0, 1):  # a keep-alive connection the server closed is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body if method == "PUT" else None, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if not 200 <= r.status < 300:
            raise IOError(f"S3 {method} s3://{self.bucket}/{key}: HTTP {r.status} {data[:200]!r}")
        return data

    def put(self, key, body):
        self._call("PUT", key, body)

    def get(self, key):
        return self._call("GET", key)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
