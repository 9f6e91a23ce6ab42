package dev.mp3conv.server.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import dev.mp3conv.server.http.ProblemException;

/**
 * Parses tus {@code Upload-Metadata}: comma-separated pairs of a key and an optional Base64 value. The header
 * is bounded ({@value #MAX_HEADER} characters, {@value #MAX_PAIRS} pairs), keys are an allow-listed ASCII
 * token, values must be UTF-8 and at most {@value #MAX_VALUE} bytes, and a key may appear once.
 */
final class TusMetadata {
    static final int MAX_HEADER = 4096;
    private static final int MAX_PAIRS = 16;
    private static final int MAX_VALUE = 1024;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private TusMetadata() {
    }

    /**
     * Decodes the header.
     *
     * @param header the header value, may be null
     * @return key to decoded value ({@code ""} for a key without a value), in header order
     * @throws ProblemException 400 for anything malformed or beyond the bounds
     */
    static Map<String, String> parse(String header) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return pairs;
        }
        if (header.length() > MAX_HEADER) {
            throw ProblemException.badRequest("Upload-Metadata is longer than " + MAX_HEADER + " characters");
        }
        String[] items = header.split(",", -1);
        if (items.length > MAX_PAIRS) {
            throw ProblemException.badRequest("Upload-Metadata has more than " + MAX_PAIRS + " pairs");
        }
        for (String item : items) {
            String[] parts = item.strip().split(" ", -1);
            if (parts.length > 2 || !KEY.matcher(parts[0]).matches()) {
                throw ProblemException.badRequest("Upload-Metadata must be 'key base64value' pairs separated by commas");
            }
            String value = parts.length == 2 ? decode(parts[0], parts[1]) : "";
            if (pairs.putIfAbsent(parts[0], value) != null) {
                throw ProblemException.badRequest("Upload-Metadata has the key '" + parts[0] + "' twice");
            }
        }
        return pairs;
    }

    private static String decode(String key, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("Upload-Metadata value of '" + key + "' is not Base64");
        }
        if (bytes.length > MAX_VALUE) {
            throw ProblemException.badRequest("Upload-Metadata value of '" + key + "' is longer than " + MAX_VALUE
                    + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString().strip();
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("Upload-Metadata value of '" + key + "' is not UTF-8");
        }
    }
}
