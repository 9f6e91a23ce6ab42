package dev.mp3conv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A video file as the tus client reads it: seekable, so the client's mark/reset (it rewinds to resend a
 * request) moves the file position instead of buffering a whole request in memory (tus-java-client wraps
 * streams without mark support in a {@code BufferedInputStream} that grows to the request size), and
 * optionally paced to {@code --limit-rate}: reads wait until the average since the start is at or below the
 * rate. The pacing is a few lines of arithmetic, not worth a rate-limiter library in the CLI.
 */
final class FileUploadStream extends InputStream {
    private final FileChannel channel;
    private final long bytesPerSecond;
    private final long startNanos = System.nanoTime();
    private long paced;
    private long mark;

    /**
     * @param file           the video
     * @param bytesPerSecond most bytes per second to hand out, 0 for no limit
     */
    FileUploadStream(Path file, long bytesPerSecond) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (bytesPerSecond > 0) {
            // small reads keep the pace even: at most a tenth of a second's worth at once
            len = (int) Math.min(len, Math.max(1024, bytesPerSecond / 10));
            pace(len);
        }
        int n = channel.read(ByteBuffer.wrap(b, off, len));
        if (n > 0) {
            paced += n;
        }
        return n;
    }

    private void pace(int next) throws IOException {
        long due = startNanos + (paced + next) * 1_000_000_000L / bytesPerSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while pacing the upload");
            }
        }
    }

    @Override
    public long skip(long n) throws IOException {
        long position = channel.position();
        long target = Math.min(channel.size(), position + Math.max(0, n));
        channel.position(target);
        return target - position;
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readlimit) {
        try {
            mark = channel.position();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void reset() throws IOException {
        channel.position(mark);
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(Integer.MAX_VALUE, channel.size() - channel.position());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
