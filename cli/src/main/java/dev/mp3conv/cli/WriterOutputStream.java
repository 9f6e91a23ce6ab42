package dev.mp3conv.cli;

import java.io.OutputStream;
import java.io.Writer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lets a library that wants a PrintStream (progressbar) write to the command's err writer,
 * so that all output goes through picocli's streams. Decodes UTF-8 across write boundaries.
 */
final class WriterOutputStream extends OutputStream {
    private final Writer writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private final CharBuffer out = CharBuffer.allocate(8192);

    WriterOutputStream(Writer writer) {
        this.writer = writer;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        while (offset < end) {
            int chunk = Math.min(in.remaining(), end - offset);
            in.put(bytes, offset, chunk);
            offset += chunk;
            drain();
        }
        writer.flush();
    }

    private void drain() throws IOException {
        in.flip();
        while (true) {
            boolean overflow = decoder.decode(in, out, false).isOverflow();
            out.flip();
            writer.append(out);
            out.clear();
            if (!overflow) {
                break;
            }
        }
        in.compact();
    }

    @Override
    public synchronized void flush() throws IOException {
        writer.flush();
    }
}
