package io.litefleet.core.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Strict percent-decoding of path segments and query strings (UTF-8; a bad escape is a 400 naming it). */
final class UriParts {
    private UriParts() {
    }

    /**
     * Decodes one path segment: {@code %XX} escapes only ({@code +} is a plus sign in a path).
     *
     * @param what names the segment in the error
     */
    static String segment(String raw, String what) {
        return decode(raw, false, what);
    }

    /**
     * The parameters of {@code rawQuery} ({@code +} is a space there, as forms send it).
     *
     * @throws BadRequest for a bad escape or a parameter given twice
     */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq), true, "query parameter name");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true, "query parameter '" + key + "'");
            if (out.putIfAbsent(key, value) != null) {
                throw new BadRequest(400, "query parameter '" + key + "' is given twice");
            }
        }
        return out;
    }

    private static String decode(String raw, boolean plusIsSpace, String what) {
        if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new BadRequest(400, what + ": bad percent-escape at offset " + i + " in '" + raw + "'");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest(400, what + ": '" + raw + "' does not decode to UTF-8 text");
        }
    }
}
