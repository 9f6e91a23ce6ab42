package dev.mp3conv.server.converter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The ID3v2.4 tag of every MP3 the converter writes, put in front of the audio frames (ffmpeg writes none:
 * {@code -id3v2_version 0}; segments are stitched from frames only): the title, artist, album, date and comment
 * as UTF-8 text frames ({@code TIT2}, {@code TPE1}, {@code TALB}, {@code TDRC}, {@code COMM}) and the cover as an
 * {@code APIC} front-cover picture. Decoders skip the tag and start at the Xing/Info frame (or the first audio
 * frame) right after it. Written by hand: a few frames are a few lines (ID3v2.4 §3–4), and no maintained Java
 * tag library writes into a stream.
 */
final class Id3v2Tag {
    private static final byte UTF_8 = 3;
    private static final byte FRONT_COVER = 3;

    private Id3v2Tag() {
    }

    /**
     * The tag of these tags.
     *
     * @param tags what to write (null fields are left out)
     * @return the tag's bytes, empty when there is nothing to write
     */
    static byte[] of(SourceTags tags) {
        return of(tags, null);
    }

    /**
     * The tag of these tags and this cover.
     *
     * @param tags  what to write (null fields are left out)
     * @param cover a JPEG for the front cover, or null
     * @return the tag's bytes, empty when there is nothing to write
     */
    static byte[] of(SourceTags tags, byte[] cover) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        text(frames, "TIT2", tags.title());
        text(frames, "TPE1", tags.artist());
        text(frames, "TALB", tags.album());
        text(frames, "TDRC", tags.date());
        if (tags.comment() != null) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(UTF_8);
            body.writeBytes("eng".getBytes(StandardCharsets.US_ASCII));
            body.write(0); // empty content description, terminated
            body.writeBytes(tags.comment().getBytes(StandardCharsets.UTF_8));
            frame(frames, "COMM", body.toByteArray());
        }
        if (cover != null && cover.length > 0) {
            ByteArrayOutputStream body = new ByteArrayOutputStream(cover.length + 16);
            body.write(UTF_8);
            body.writeBytes("image/jpeg".getBytes(StandardCharsets.US_ASCII));
            body.write(0);
            body.write(FRONT_COVER);
            body.write(0); // empty description, terminated
            body.writeBytes(cover);
            frame(frames, "APIC", body.toByteArray());
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

    /**
     * Writes a tag in front of an MP3 file's frames.
     *
     * @param tag     the tag's bytes; nothing happens when empty
     * @param file    the MP3
     * @param tempDir where the tagged copy is written before it replaces the file
     * @throws java.io.IOException when the files cannot be written
     */
    static void prepend(byte[] tag, java.nio.file.Path file, java.nio.file.Path tempDir) throws java.io.IOException {
        if (tag.length == 0) {
            return;
        }
        java.nio.file.Path tagged = java.nio.file.Files.createTempFile(tempDir, "tagged-", ".mp3");
        try {
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(tagged)) {
                out.write(tag);
                java.nio.file.Files.copy(file, out);
            }
            java.nio.file.Files.move(tagged, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            java.nio.file.Files.deleteIfExists(tagged);
        }
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
