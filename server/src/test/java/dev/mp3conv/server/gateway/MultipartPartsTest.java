package dev.mp3conv.server.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultipartPartsTest {
    private static final String BOUNDARY = "----mp3convBoundary7MA4YWxk";
    private static final String TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    @Test
    void partsComeOutWholeWhateverTheReadSizes() throws IOException {
        byte[] file = fileWithBoundaryLookalikes(300_000);
        byte[] body = body(part("bitrate", null, null, "192k".getBytes(StandardCharsets.UTF_8)),
                part("file", "talk \u00e9t\u00e9.mp4", "video/mp4", file),
                part("note", null, null, new byte[0]));
        Random random = new Random(7);
        for (int round = 0; round < 40; round++) {
            int maxRead = round < 10 ? 1 + round : 1 + random.nextInt(70_000);
            List<Object[]> parts = readAll(MultipartParts.of(TYPE, new Dribble(body, maxRead, random), 1 << 20, 8, 4096));
            assertThat(parts).hasSize(3);
            assertThat(parts.get(0)).containsExactly("bitrate", Optional.empty(), null, "192k".getBytes(StandardCharsets.UTF_8));
            assertThat(parts.get(1)[0]).isEqualTo("file");
            assertThat(parts.get(1)[1]).isEqualTo(Optional.of("talk \u00e9t\u00e9.mp4"));
            assertThat(parts.get(1)[2]).isEqualTo("video/mp4");
            assertThat((byte[]) parts.get(1)[3]).as("file content, reads of up to %d bytes", maxRead).isEqualTo(file);
            assertThat((byte[]) parts.get(2)[3]).isEmpty();
        }
    }

    @Test
    void aPartLeftUnreadIsSkipped() throws IOException {
        byte[] body = body(part("file", "a.mp4", "video/mp4", fileWithBoundaryLookalikes(100_000)),
                part("quality", null, null, "2".getBytes(StandardCharsets.UTF_8)));
        MultipartParts parts = MultipartParts.of(TYPE, new Dribble(body, 5000, new Random(1)), 1 << 20, 8, 4096);
        assertThat(parts.next()).hasValueSatisfying(p -> assertThat(p.isFile()).isTrue());
        MultipartParts.Part quality = parts.next().orElseThrow();
        assertThat(quality.fieldName()).isEqualTo("quality");
        assertThat(quality.content().readAllBytes()).isEqualTo("2".getBytes(StandardCharsets.UTF_8));
        assertThat(parts.next()).isEmpty();
        assertThat(parts.next()).isEmpty();
    }

    @Test
    void aBodyCutBeforeItsClosingBoundaryFails() throws IOException {
        byte[] body = body(part("file", "a.mp4", "video/mp4", new byte[10_000]));
        byte[] cut = java.util.Arrays.copyOf(body, body.length - 40);
        MultipartParts parts = MultipartParts.of(TYPE, new Dribble(cut, 999, new Random(2)), 1 << 20, 8, 4096);
        InputStream content = parts.next().orElseThrow().content();
        assertThatThrownBy(content::readAllBytes).isInstanceOf(MultipartParts.MalformedMultipartException.class)
                .hasMessageContaining("ended before its closing boundary");
    }

    @Test
    void limitsHold() throws IOException {
        byte[] big = body(part("file", "a.mp4", "video/mp4", new byte[200_000]));
        MultipartParts tooLarge = MultipartParts.of(TYPE, new Dribble(big, 4096, new Random(3)), 100_000, 8, 4096);
        assertThatThrownBy(() -> tooLarge.next().orElseThrow().content().readAllBytes())
                .isInstanceOf(MultipartParts.BodyTooLargeException.class);

        String longName = "x".repeat(5000) + ".mp4";
        byte[] longHeaders = body(part("file", longName, "video/mp4", new byte[10]));
        MultipartParts headers = MultipartParts.of(TYPE, new Dribble(longHeaders, 4096, new Random(4)), 1 << 20, 8, 4096);
        assertThatThrownBy(headers::next).isInstanceOf(MultipartParts.MalformedMultipartException.class);

        byte[][] many = new byte[5][];
        for (int i = 0; i < many.length; i++) {
            many[i] = part("f" + i, null, null, new byte[] {'1'});
        }
        MultipartParts manyParts = MultipartParts.of(TYPE, new Dribble(body(many), 4096, new Random(5)), 1 << 20, 3, 4096);
        assertThatThrownBy(() -> readAll(manyParts)).isInstanceOf(MultipartParts.MalformedMultipartException.class);
    }

    @Test
    void notMultipartOrNoBoundaryIsRefused() {
        for (String type : new String[] {null, "application/json", "multipart/form-data", "multipart/form-data; boundary=",
                "multipart/form-data; boundary=" + "b".repeat(71)}) {
            assertThatThrownBy(() -> MultipartParts.of(type, InputStream.nullInputStream(), 100, 8, 4096))
                    .as(String.valueOf(type)).isInstanceOf(MultipartParts.MalformedMultipartException.class);
        }
    }

    @Test
    void garbageIsMalformed() throws IOException {
        byte[] garbage = new byte[50_000];
        new Random(6).nextBytes(garbage);
        MultipartParts parts = MultipartParts.of(TYPE, new Dribble(garbage, 4096, new Random(6)), 1 << 20, 8, 4096);
        assertThatThrownBy(parts::next).isInstanceOf(IOException.class);
    }

    private static List<Object[]> readAll(MultipartParts parts) throws IOException {
        List<Object[]> all = new ArrayList<>();
        for (Optional<MultipartParts.Part> next = parts.next(); next.isPresent(); next = parts.next()) {
            MultipartParts.Part p = next.get();
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            byte[] buffer = new byte[777];
            InputStream in = p.content();
            for (int n; (n = in.read(buffer)) != -1; ) {
                content.write(buffer, 0, n);
            }
            all.add(new Object[] {p.fieldName(), p.filename(), p.contentType(), content.toByteArray()});
        }
        return all;
    }

    /** Random bytes salted with CRLF, dashes and prefixes of the boundary, as a parser's worst case. */
    private static byte[] fileWithBoundaryLookalikes(int size) {
        Random random = new Random(size);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 100);
        byte[] delimiter = ("\r\n--" + BOUNDARY).getBytes(StandardCharsets.US_ASCII);
        while (out.size() < size) {
            int kind = random.nextInt(5);
            if (kind == 0) {
                out.write(delimiter, 0, 1 + random.nextInt(delimiter.length - 1));
            } else {
                byte[] noise = new byte[1 + random.nextInt(300)];
                random.nextBytes(noise);
                out.writeBytes(noise);
            }
        }
        return out.toByteArray();
    }

    private static byte[] part(String name, String filename, String contentType, byte[] content) {
        StringBuilder headers = new StringBuilder("Content-Disposition: form-data; name=\"" + name + "\"");
        if (filename != null) {
            headers.append("; filename=\"").append(filename).append('"');
        }
        headers.append("\r\n");
        if (contentType != null) {
            headers.append("Content-Type: ").append(contentType).append("\r\n");
        }
        headers.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(headers.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] body(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(("--" + BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(part);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A body that arrives in reads of random size, sometimes of zero bytes, like a socket's. */
    private static final class Dribble extends InputStream {
        private final byte[] data;
        private final int maxRead;
        private final Random random;
        private int position;

        Dribble(byte[] data, int maxRead, Random random) {
            this.data = data;
            this.maxRead = maxRead;
            this.random = random;
        }

        @Override
        public int read() {
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= data.length) {
                return -1;
            }
            if (random.nextInt(10) == 0) {
                return 0;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(maxRead)), data.length - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }
}
