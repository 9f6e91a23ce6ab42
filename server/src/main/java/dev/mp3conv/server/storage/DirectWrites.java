package dev.mp3conv.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import com.sun.nio.file.ExtendedOpenOption;

/**
 * The writes of a resumable append past the page cache ({@code O_DIRECT}, the JDK's
 * {@link ExtendedOpenOption#DIRECT}): every whole aligned block goes from an aligned buffer of its own straight
 * to the device, and only the partial blocks at the start and the end of the append go through the page cache,
 * on the append's ordinary channel. Through the page cache, an upload paid for the copy into it
 * ({@code copy_folio_from_iter_atomic} was the largest symbol of the server in {@code perf}) and for the
 * writeback that the sync at the end of every PATCH needs (early syncs every few MiB beside the writes, each
 * a journal commit): in a plain program, writing 256 KiB pieces and syncing every 4 MiB cost 0.8–1.0 ms of CPU
 * per MiB, against 0.3 past the cache with a sync every 32 MiB. The sync at the end of the append stays (it
 * makes the size and the partial blocks durable and flushes the device's cache).
 *
 * <p>A file system that refuses {@code O_DIRECT} (or a write it refuses, e.g. an alignment it wants larger than
 * it reports) leaves the append on the page cache, for the rest of that append. Every method but
 * {@link #open} runs on the copy's writer thread.
 */
final class DirectWrites implements WriteBehind.Target {
    private static final System.Logger LOG = System.getLogger(DirectWrites.class.getName());
    /** Bytes collected before one direct write: a multiple of every block size accepted. */
    static final int STAGE = WriteBehind.BUFFER_SIZE;
    private static final int MAX_BLOCK = 64 * 1024;

    private final FileChannel buffered;
    private final int block;
    private FileChannel direct;
    private ByteBuffer stage;
    /** File position of the next byte not yet written (of {@code stage[0]} while the stage holds bytes). */
    private long position;

    private DirectWrites(FileChannel buffered, FileChannel direct, int block, long position) {
        this.buffered = buffered;
        this.direct = direct;
        this.block = block;
        this.position = position;
    }

    /**
     * Direct writes into {@code file} from {@code position} on, if its file system takes them.
     *
     * @param file     the file
     * @param buffered the file open for writing, for the partial blocks; not closed here
     * @param position where the append starts
     * @return the target, empty when the file system does not do direct writes (then write through the page cache)
     */
    static Optional<DirectWrites> open(Path file, FileChannel buffered, long position) {
        int block;
        FileChannel direct;
        try {
            long size = Files.getFileStore(file).getBlockSize();
            if (size < 512 || size > MAX_BLOCK || Long.bitCount(size) != 1) {
                return Optional.empty();
            }
            block = (int) size;
            direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "no direct writes to {0}: {1}", file, e.toString());
            return Optional.empty();
        }
        return Optional.of(new DirectWrites(buffered, direct, block, position));
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (direct == null) {
            writeBuffered(bytes);
            return;
        }
        if (stage == null) {
            // native memory outside the heap, freed with its buffer object (one per append)
            stage = ByteBuffer.allocateDirect(STAGE + block).alignedSlice(block).limit(STAGE).slice();
        }
        if (stage.position() == 0 && position % block != 0) {
            // up to the first block boundary through the page cache: a direct write starts on a boundary
            int head = (int) Math.min(bytes.remaining(), block - position % block);
            writeBuffered(bytes.slice(bytes.position(), head));
            bytes.position(bytes.position() + head);
        }
        while (bytes.hasRemaining()) {
            int n = Math.min(bytes.remaining(), stage.remaining());
            stage.put(stage.position(), bytes, bytes.position(), n);
            stage.position(stage.position() + n);
            bytes.position(bytes.position() + n);
            if (!stage.hasRemaining()) {
                writeStage(STAGE);
            }
        }
    }

    /** The whole blocks the stage holds go direct, the last partial one through the page cache. */
    @Override
    public void finish() throws IOException {
        if (stage == null || stage.position() == 0) {
            return;
        }
        int held = stage.position();
        int whole = held - held % block;
        if (whole > 0) {
            writeStage(whole);
        }
        if (held > whole) {
            writeBuffered(stage.slice(whole, held - whole));
        }
        stage.clear();
    }

    @Override
    public void release() {
        stage = null;
        closeDirect();
    }

    /** Writes the first {@code length} bytes of the stage (a multiple of the block size) at {@code position}. */
    private void writeStage(int length) throws IOException {
        ByteBuffer out = stage.slice(0, length);
        if (direct != null) {
            try {
                while (out.hasRemaining()) {
                    direct.write(out, position + out.position());
                }
            } catch (IOException e) {
                // e.g. EINVAL for an alignment the file system wants larger than it reports: the same bytes
                // through the page cache, and so the rest of this append
                LOG.log(System.Logger.Level.DEBUG, "direct write refused, the append goes on through the page cache: {0}",
                        e.toString());
                closeDirect();
                out.rewind();
            }
        }
        if (direct == null) {
            writeBuffered(out);
        } else {
            position += length;
        }
        // what was not written stays in the stage behind the written blocks: none, whole stages or the final blocks
        stage.position(0);
    }

    private void writeBuffered(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            position += buffered.write(bytes, position);
        }
    }

    private void closeDirect() {
        if (direct != null) {
            try {
                direct.close();
            } catch (IOException e) {
                // nothing of it is pending: its writes were synchronous
            }
            direct = null;
        }
    }
}
