package dev.mp3conv.server.converter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An ID3v2.4 tag for a stitched MP3 (segments are encoded without tags, and the stitcher writes only
 * frames): the same title, artist, date and comment a single run writes through ffmpeg's
 * {@code -metadata}, as UTF-8 text frames ({@code TIT2}, {@code TPE1}, {@code TDRC}, {@code COMM}). Decoders
 * skip the tag and start at the stitched file's Info/LAME frame right after it. Written by hand: four text
 * frames are a few lines (ID3v2.4 §3–4), and no maintained Java tag library writes into a stream.
 */
final class Id3v2Tag {
    private static final byte UTF_8 = 3;

    private Id3v2Tag() {
    }

    /**
     * The tag of these tags.
     *
     * @param tags what to write (null fields are left out)
     * @return the tag's bytes, empty when there is nothing to write
     */
    static byte[] of(SourceTags tags) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        text(frames, "TIT2", tags.title());
        text(frames, "TPE1", tags.artist());
        text(frames, "TDRC", tags.date());
        if (tags.comment() != null) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(UTF_8);
            body.writeBytes("eng".getBytes(StandardCharsets.US_ASCII));
            body.write(0); // empty content description, terminated
            body.writeBytes(tags.comment().getBytes(StandardCharsets.UTF_8));
            frame(frames, "COMM", body.toByteArray());
        }
        if (frames.size() == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream tag = new ByteArrayOutputStream(10 + frames.size());
        tag.writeBytes("ID3".getBytes(StandardCharsets.US_ASCII));
        tag.write(4); // version 2.4.0
        tag.write(0);
        tag.write(0); // no flags
        tag.writeBytes(synchsafe(frames.size()));
        tag.writeBytes(frames.toByteArray());
        return tag.toByteArray();
    }

    private static void text(ByteArrayOutputStream frames, String id, String value) {
        if (value != null) {
            byte[] text = value.getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[text.length + 1];
            body[0] = UTF_8;
            System.arraycopy(text, 0, body, 1, text.length);
            frame(frames, id, body);
        }
    }

    private static void frame(ByteArrayOutputStream frames, String id, byte[] body) {
        frames.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        frames.writeBytes(synchsafe(body.length));
        frames.write(0);
        frames.write(0); // no frame flags
        frames.writeBytes(body);
    }

    /** A size in four bytes of seven bits each (ID3v2.4 §6.2), so no byte of it looks like an MPEG sync. */
    static byte[] synchsafe(int size) {
        if (size < 0 || size >= 1 << 28) {
            throw new IllegalArgumentException("an ID3v2 size must be below 256 MiB: " + size);
        }
        return new byte[] {(byte) (size >> 21 & 0x7f), (byte) (size >> 14 & 0x7f), (byte) (size >> 7 & 0x7f),
                (byte) (size & 0x7f)};
    }
}
