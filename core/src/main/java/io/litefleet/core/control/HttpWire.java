package io.litefleet.core.control;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP/1.1 the control socket needs, both ends: one request per connection ({@code Connection: close}), bodies
 * by {@code Content-Length} or chunked (Go's server chunks responses over 2 KiB), sizes capped so a stray client
 * cannot make the daemon buffer without bound. Upstream's CLI (Go's {@code net/http}), {@code curl --unix-socket}
 * and ours all speak it. Stateless.
 */
final class HttpWire {
    /** Request line and headers, at most. */
    static final int MAX_HEAD = 16 * 1024;
    /** A request body, at most (requests are a few fields). */
    static final int MAX_REQUEST_BODY = 1 << 20;
    /** A response body, at most (a list of every database of a large fleet fits). */
    static final int MAX_RESPONSE_BODY = 256 << 20;

    private HttpWire() {
    }

    /** A request as the server read it: {@code path} without the query, {@code query} decoded. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
                   byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A response as a client read it. */
    record Response(int status, String body) {
    }

    /** A malformed request: the server answers {@code status} with {@code message}. */
    static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static Request readRequest(InputStream in) throws IOException {
        int[] budget = {MAX_HEAD};
        String line = line(in, budget);
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "malformed request line");
        }
        Map<String, String> headers = headers(in, budget);
        String target = parts[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = q < 0 ? Map.of() : query(target.substring(q + 1));
        byte[] body = body(in, headers, MAX_REQUEST_BODY);
        return new Request(parts[0], path, query, headers, body);
    }

    static void writeResponse(OutputStream out, int status, String json) throws IOException {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    static void writeRequest(OutputStream out, String method, String target, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\nUser-Agent: litefleet\r\nConnection: close\r\n");
        if (json != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    static Response readResponse(InputStream in) throws IOException {
        int[] budget = {MAX_HEAD};
        String line = line(in, budget);
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: '" + line + "'");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: '" + line + "'");
        }
        Map<String, String> headers = headers(in, budget);
        byte[] body = headers.containsKey("content-length") || headers.containsKey("transfer-encoding")
                ? body(in, headers, MAX_RESPONSE_BODY) : in.readNBytes(MAX_RESPONSE_BODY);
        return new Response(status, new String(body, StandardCharsets.UTF_8));
    }

    private static Map<String, String> headers(InputStream in, int[] budget) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        for (String line; !(line = line(in, budget)).isEmpty(); ) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequest(400, "malformed header line");
            }
            h.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return h;
    }

    private static byte[] body(InputStream in, Map<String, String> headers, int max) throws IOException {
        String te = headers.getOrDefault("transfer-encoding", "");
        if (te.equalsIgnoreCase("chunked")) {
            return chunked(in, max);
        }
        if (!te.isEmpty()) {
            throw new BadRequest(501, "transfer encoding '" + te + "' not supported");
        }
        String cl = headers.get("content-length");
        if (cl == null) {
            return new byte[0];
        }
        long n;
        try {
            n = Long.parseLong(cl);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "bad Content-Length '" + cl + "'");
        }
        if (n < 0 || n > max) {
            throw new BadRequest(413, "body of " + n + " bytes is over the limit of " + max);
        }
        byte[] b = in.readNBytes((int) n);
        if (b.length != n) {
            throw new EOFException("connection closed inside the body");
        }
        return b;
    }

    private static byte[] chunked(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int[] budget = {1024};
            String size = line(in, budget);
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "bad chunk size '" + size + "'");
            }
            if (n == 0) {
                while (!line(in, budget).isEmpty()) {
                    budget[0] = 1024; // trailers, ignored
                }
                return out.toByteArray();
            }
            if (n < 0 || out.size() + n > max) {
                throw new BadRequest(413, "body over the limit of " + max + " bytes");
            }
            byte[] b = in.readNBytes((int) n);
            if (b.length != n) {
                throw new EOFException("connection closed inside a chunk");
            }
            out.write(b);
            line(in, budget);
        }
    }

    /** One CRLF-terminated line (a bare LF is accepted), charged against {@code budget}. */
    private static String line(InputStream in, int[] budget) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed before the end of the HTTP head");
            }
            if (--budget[0] < 0) {
                throw new BadRequest(431, "HTTP head over " + MAX_HEAD + " bytes");
            }
            if (c == '\n') {
                int len = b.length();
                return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
            }
            b.append((char) c);
        }
    }

    private static Map<String, String> query(String q) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : q.split("&")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            m.putIfAbsent(k, eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Internal Server Error";
        };
    }
}
