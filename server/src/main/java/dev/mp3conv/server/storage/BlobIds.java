package dev.mp3conv.server.storage;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.bson.types.ObjectId;

/**
 * Blob ids: 128 random bits from {@link SecureRandom} in lower-case hex, unrelated to the job id, so
 * nobody can name a blob (an MP3 to download, a video beside one's own upload) without being given
 * its id. Blobs stored before this scheme have ObjectId ids (24 hex digits, partly a timestamp and a
 * counter); those stay readable and deletable.
 */
public final class BlobIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BYTES = 16;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{" + (BYTES * 2) + "}");

    private BlobIds() {
    }

    /**
     * A new blob id.
     *
     * @return 32 hex digits
     */
    public static String newId() {
        byte[] bytes = new byte[BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Whether a text can be a blob id (any other text is simply unknown to the stores).
     *
     * @param id the text, may be null
     * @return true for a random id or an ObjectId of an older blob
     */
    public static boolean isValid(String id) {
        return id != null && (ID.matcher(id).matches() || isLegacy(id));
    }

    /**
     * Whether an id is an ObjectId of a blob stored before random ids.
     *
     * @param id a valid id
     * @return true for 24 hex digits
     */
    static boolean isLegacy(String id) {
        return id.length() == 24 && ObjectId.isValid(id);
    }
}
