package dev.mp3conv.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Date;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Projections.include;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.set;

/**
 * Blobs in MongoDB GridFS ({@code <bucket>.files} and {@code <bucket>.chunks}, the standard layout any
 * GridFS client reads) with 1 MiB chunks.
 *
 * <p>Chunks are written and read here directly rather than through {@code GridFSBucket}: the driver's
 * upload subscribes with a {@code flatMap} of 256 concurrent inserts, so a fast source can hold 256 MiB
 * in flight, and its download has no ranges. Here at most {@value #WINDOW} chunk inserts are in flight
 * and a range read fetches only the chunks it covers, so memory stays at a few MiB per stream whatever
 * the blob size, and all writes of the process together hold at most the chunk buffers {@link ChunkBuffers}
 * gives its heap (a write past them is refused with {@link StoreBusyException}). The files document is written last, so a blob is visible only once complete; a failed
 * write deletes its chunks, and {@link #deleteAbandonedWrites} deletes those it could not.
 *
 * <p>A resumable write (tus upload) stores each full 1 MiB chunk as it fills and keeps the partial last chunk
 * in a side document ({@code <bucket>.uploads}: next chunk number, tail bytes, length), rewritten at the end
 * of each append, so its length is durable whichever process appends next; completing it writes the tail as
 * the last chunk and then the files document.
 */
public final class GridFsBlobStore implements BlobStore {
    /** Chunk size: measured 1.3–3x faster than the 255 KiB default. */
    public static final int CHUNK_SIZE = 1024 * 1024;
    private static final int WINDOW = 4;
    /** Chunks one read of an unfinished upload returns at most (memory per following conversion). */
    private static final int GROWING_CHUNKS = 2;

    private final MongoDatabase database;
    /** Chunk buffers all writes of this store share, bounded by the heap. */
    private final ChunkBuffers buffers;
    private final MongoCollection<Document> files;
    private final MongoCollection<Document> chunks;
    private final MongoCollection<Document> uploads;
    /** Files ids of first chunks already seen by {@link #deleteAbandonedWrites} whose write may still finish. */
    private final Set<Object> suspects = new HashSet<>();
    /**
     * How far back the first scan of a process looks: writes abandoned earlier were seen by the
     * processes before it, and scanning every chunk ever written would read the whole bucket.
     */
    private static final java.time.Duration FIRST_SCAN = java.time.Duration.ofDays(1);
    /** Where the next scan for first chunks starts; null: {@link #FIRST_SCAN} before the first call's instant. */
    private ObjectId scannedUpTo;

    private GridFsBlobStore(MongoDatabase database, String bucket, ChunkBuffers buffers) {
        this.database = database;
        this.buffers = buffers;
        this.files = database.getCollection(bucket + ".files");
        this.chunks = database.getCollection(bucket + ".chunks");
        this.uploads = database.getCollection(bucket + ".uploads");
    }

    /**
     * Opens the store on a bucket, declaring the standard GridFS indexes.
     *
     * @param database database holding the bucket
     * @param bucket   bucket name, {@code fs} by convention
     * @return the store
     */
    public static GridFsBlobStore open(MongoDatabase database, String bucket) {
        return open(database, bucket, ChunkBuffers.forHeap(Runtime.getRuntime().maxMemory()));
    }

    /**
     * Opens the store with its own chunk buffer budget (tests).
     *
     * @param database database holding the bucket
     * @param bucket   bucket name
     * @param buffers  the budget its writes share
     * @return the store
     */
    static GridFsBlobStore open(MongoDatabase database, String bucket, ChunkBuffers buffers) {
        GridFsBlobStore store = new GridFsBlobStore(database, bucket, buffers);
        Await.done(store.files.createIndex(Indexes.ascending("filename", "uploadDate")));
        Await.done(store.chunks.createIndex(Indexes.ascending("files_id", "n"), new IndexOptions().unique(true)));
        return store;
    }

    @Override
    public BlobInfo write(BlobMetadata metadata, InputStream source) throws IOException {
        String id = BlobIds.newId();
        Deque<Insert> inFlight = new ArrayDeque<>();
        long length = 0;
        int n = 0;
        byte[] chunk = buffers.writer();
        try {
            int read;
            // readNBytes loops until the chunk is full or the stream ends, so 0-byte reads cannot truncate
            while ((read = source.readNBytes(chunk, 0, CHUNK_SIZE)) > 0) {
                byte[] data = read == CHUNK_SIZE ? chunk : Arrays.copyOf(chunk, read);
                chunk = insert(inFlight, new Document("files_id", id).append("n", n++).append("data", new Binary(data)),
                        chunk);
                length += read;
                if (read < CHUNK_SIZE) {
                    break;
                }
            }
            while (!inFlight.isEmpty()) {
                finish(inFlight.removeFirst());
            }
            // a write idle past the sweeper's grace (a stalled client) may have had its chunks deleted as
            // abandoned: fail it rather than publish a blob with holes
            long stored = Await.first(chunks.countDocuments(eq("files_id", id))).orElse(0L);
            if (stored != n) {
                throw new StoreUnavailableException("blob " + id + " lost chunks while it was written ("
                        + stored + " of " + n + " stored)", null);
            }
            Instant created = Instant.now();
            Document file = new Document("_id", id)
                    .append("length", length)
                    .append("chunkSize", CHUNK_SIZE)
                    .append("uploadDate", Date.from(created))
                    .append("filename", metadata.filename())
                    .append("metadata", new Document("owner", metadata.owner())
                            .append("job_id", metadata.jobId())
                            .append("content_type", metadata.contentType()));
            Await.done(files.insertOne(file));
            return new BlobInfo(id, length, metadata, created);
        } catch (IOException | RuntimeException e) {
            // a driver insert cannot be cancelled: let the ones in flight land before deleting, or a
            // chunk inserted after the delete would stay behind
            settle(inFlight);
            deleteChunks(id, e);
            throw e;
        } finally {
            buffers.releaseWriter();
        }
    }

    /**
     * Starts inserting a chunk document whose data is {@code buffer} (or a copy of its head) and returns
     * the buffer to fill next: a new one when the store's budget has a spare buffer and this write has fewer
     * than {@value #WINDOW} inserts in flight (the insert keeps its buffer until it lands), else the same
     * one once this write's inserts have landed, so the write goes on one insert at a time.
     */
    private byte[] insert(Deque<Insert> inFlight, Document doc, byte[] buffer) throws IOException {
        if (inFlight.size() < WINDOW && buffers.tryExtra()) {
            inFlight.addLast(new Insert(Mono.from(chunks.insertOne(doc)).toFuture(), true));
            return new byte[CHUNK_SIZE];
        }
        inFlight.addLast(new Insert(Mono.from(chunks.insertOne(doc)).toFuture(), false));
        // the buffer is reused: every insert before it must have landed (in order), and it itself
        while (!inFlight.isEmpty()) {
            finish(inFlight.removeFirst());
        }
        return buffer;
    }

    private void finish(Insert insert) throws IOException {
        try {
            await(insert.future());
        } finally {
            if (insert.extra()) {
                buffers.releaseExtra();
            }
        }
    }

    /** A chunk insert in flight; {@code extra}: its buffer is one of the store's spare buffers. */
    private record Insert(CompletableFuture<?> future, boolean extra) {
    }

    @Override
    public String createResumable(BlobMetadata metadata) throws IOException {
        String id = BlobIds.newId();
        Await.done(uploads.insertOne(new Document("_id", id)
                .append("n", 0)
                .append("tail", new Binary(new byte[0]))
                .append("length", 0L)
                .append("filename", metadata.filename())
                .append("metadata", new Document("owner", metadata.owner())
                        .append("job_id", metadata.jobId())
                        .append("content_type", metadata.contentType()))
                .append("updated", new Date())));
        return id;
    }

    @Override
    public long append(String id, long offset, InputStream source) throws IOException {
        Object fileId = resumableId(id);
        Document upload = upload(fileId);
        int next = (int) (offset / CHUNK_SIZE);
        int filled = (int) (offset % CHUNK_SIZE);
        byte[] head = truncate(fileId, upload, offset);
        byte[] chunk = buffers.writer();
        Deque<Insert> inFlight = new ArrayDeque<>();
        long length = offset;
        try {
            System.arraycopy(head, 0, chunk, 0, filled);
            int n;
            while ((n = source.readNBytes(chunk, filled, CHUNK_SIZE - filled)) > 0) {
                filled += n;
                length += n;
                if (filled < CHUNK_SIZE) {
                    break;
                }
                Document doc = new Document("files_id", fileId).append("n", next++).append("data", new Binary(chunk));
                chunk = insert(inFlight, doc, chunk);
                filled = 0;
            }
            while (!inFlight.isEmpty()) {
                finish(inFlight.removeFirst());
            }
            Await.done(uploads.updateOne(eq("_id", fileId), combine(set("n", next),
                    set("tail", new Binary(Arrays.copyOf(chunk, filled))), set("length", length),
                    set("updated", new Date()))));
        } catch (IOException | RuntimeException e) {
            // nothing recorded yet: the side document still says offset, and the next append drops these chunks
            settle(inFlight);
            throw e;
        } finally {
            buffers.releaseWriter();
        }
        return length;
    }

    /**
     * Drops what lies past {@code offset}: chunks of an append that died before it recorded them, and bytes
     * that were appended but never committed. Returns the bytes of the partial chunk {@code offset} falls in.
     */
    private byte[] truncate(Object fileId, Document upload, long offset) throws IOException {
        long held = length(upload);
        if (held < offset) {
            throw new IOException("upload " + fileId + " holds " + held + " bytes, fewer than its offset " + offset);
        }
        int recorded = upload.getInteger("n");
        int next = (int) (offset / CHUNK_SIZE);
        int filled = (int) (offset % CHUNK_SIZE);
        if (next >= recorded) {
            Await.done(chunks.deleteMany(and(eq("files_id", fileId), gte("n", recorded))));
            return Arrays.copyOf(tail(upload), filled);
        }
        // cutting into a stored chunk: its head becomes the tail, recorded before the chunk goes
        Document doc = Await.first(chunks.find(and(eq("files_id", fileId), eq("n", next))).first())
                .orElseThrow(() -> new IOException("upload " + fileId + " is missing chunk " + next));
        byte[] head = Arrays.copyOf(doc.get("data", Binary.class).getData(), filled);
        Await.done(uploads.updateOne(eq("_id", fileId), combine(set("n", next), set("tail", new Binary(head)),
                set("length", offset), set("updated", new Date()))));
        Await.done(chunks.deleteMany(and(eq("files_id", fileId), gte("n", next))));
        return head;
    }

    @Override
    public BlobInfo completeResumable(String id, long length) throws IOException {
        Object fileId = resumableId(id);
        Optional<Document> found = Await.first(uploads.find(eq("_id", fileId)).first());
        if (found.isEmpty()) {
            Optional<BlobInfo> done = info(id);
            if (done.isPresent() && done.get().length() == length) {
                return done.get();
            }
            throw new java.nio.file.NoSuchFileException("no upload " + id);
        }
        Document upload = found.get();
        if (length(upload) != length) {
            // a shorter commit than what is held: cut back to it through an empty append
            append(id, length, InputStream.nullInputStream());
            upload = upload(fileId);
        }
        int n = upload.getInteger("n");
        byte[] tail = tail(upload);
        if (tail.length > 0) {
            // replace: a completion that failed after this insert is retried
            Await.done(chunks.replaceOne(and(eq("files_id", fileId), eq("n", n)),
                    new Document("files_id", fileId).append("n", n).append("data", new Binary(tail)),
                    new com.mongodb.client.model.ReplaceOptions().upsert(true)));
            n++;
        }
        long stored = Await.first(chunks.countDocuments(eq("files_id", fileId))).orElse(0L);
        if (stored != n) {
            throw new StoreUnavailableException("upload " + id + " lost chunks (" + stored + " of " + n + " stored)", null);
        }
        Document meta = upload.get("metadata", new Document());
        Instant created = Instant.now();
        Document file = new Document("_id", fileId)
                .append("length", length)
                .append("chunkSize", CHUNK_SIZE)
                .append("uploadDate", Date.from(created))
                .append("filename", upload.getString("filename"))
                .append("metadata", meta);
        Await.done(files.insertOne(file));
        Await.done(uploads.deleteOne(eq("_id", fileId)));
        return toInfo(file);
    }

    @Override
    public InputStream openGrowing(String id, long offset) throws IOException {
        Object fileId = resumableId(id);
        Document upload = upload(fileId);
        int first = (int) (offset / CHUNK_SIZE);
        int recorded = upload.getInteger("n");
        java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        // the full chunks stored so far, in order (an append inserts up to WINDOW at once, so one may be missing
        // while a later one is there: stop at the gap), at most GROWING_CHUNKS per call to bound memory
        int next = first;
        for (Document doc : Await.all(chunks.find(and(eq("files_id", fileId), gte("n", first)))
                .sort(ascending("n")).limit(GROWING_CHUNKS))) {
            if (doc.getInteger("n") != next) {
                break;
            }
            held.writeBytes(doc.get("data", Binary.class).getData());
            next++;
        }
        if (next == recorded && next - first < GROWING_CHUNKS) {
            // the partial last chunk lives in the side document until a later append fills it
            held.writeBytes(tail(upload));
        }
        byte[] bytes = held.toByteArray();
        int skip = (int) Math.min(bytes.length, offset - (long) first * CHUNK_SIZE);
        return new java.io.ByteArrayInputStream(bytes, skip, bytes.length - skip);
    }

    @Override
    public boolean deleteResumable(String id) {
        if (!BlobIds.isValid(id)) {
            return false;
        }
        Object fileId = key(id);
        boolean existed = Await.first(uploads.deleteOne(eq("_id", fileId)))
                .map(r -> r.getDeletedCount() > 0).orElse(false);
        if (existed) {
            Await.done(chunks.deleteMany(eq("files_id", fileId)));
        }
        return existed;
    }

    private Document upload(Object fileId) throws IOException {
        return Await.first(uploads.find(eq("_id", fileId)).first())
                .orElseThrow(() -> new java.nio.file.NoSuchFileException("no upload " + fileId));
    }

    private static Object resumableId(String id) throws IOException {
        if (!BlobIds.isValid(id)) {
            throw new java.nio.file.NoSuchFileException("no upload " + id);
        }
        return key(id);
    }

    private static long length(Document upload) {
        return ((Number) upload.get("length")).longValue();
    }

    private static byte[] tail(Document upload) {
        return upload.get("tail", Binary.class).getData();
    }

    @Override
    public Optional<BlobInfo> info(String id) {
        if (!BlobIds.isValid(id)) {
            return Optional.empty();
        }
        return Await.first(files.find(eq("_id", key(id))).first()).map(GridFsBlobStore::toInfo);
    }

    @Override
    public InputStream open(String id, long offset, long length) throws IOException {
        BlobInfo info = info(id).orElseThrow(() -> new java.nio.file.NoSuchFileException("no blob " + id));
        long start = Math.min(Math.max(offset, 0), info.length());
        long end = Math.min(info.length(), length > info.length() - start ? info.length() : start + length);
        if (end <= start) {
            return InputStream.nullInputStream();
        }
        int first = (int) (start / CHUNK_SIZE);
        int last = (int) ((end - 1) / CHUNK_SIZE);
        Stream<Document> docs = Flux.from(chunks.find(and(eq("files_id", key(id)), gte("n", first), lte("n", last)))
                        .sort(ascending("n"))
                        .batchSize(2))
                .toStream(2);
        return new ChunkInputStream(docs, first, start - (long) first * CHUNK_SIZE, end - start);
    }

    @Override
    public boolean delete(String id) {
        if (!BlobIds.isValid(id)) {
            return false;
        }
        Object oid = key(id);
        boolean existed = Await.first(files.deleteOne(eq("_id", oid))).map(r -> r.getDeletedCount() > 0).orElse(false);
        Await.done(chunks.deleteMany(eq("files_id", oid)));
        return existed;
    }

    /**
     * Chunks without a files document are a write that failed and could not delete them, or whose
     * process died. Each call looks at the first chunks ({@code n = 0}) inserted since the previous call
     * (an {@code _id} range, so the scan stays small), remembers their files ids, and deletes the chunks
     * of those still without a files document once their newest chunk is older than {@code before}.
     * Chunk ids are ObjectIds made when the chunk is inserted, so they date the write's last activity.
     */
    @Override
    public synchronized int deleteAbandonedWrites(Instant before) {
        ObjectId upTo = ObjectId.getSmallestWithDate(Date.from(before));
        ObjectId from = scannedUpTo != null ? scannedUpTo
                : ObjectId.getSmallestWithDate(Date.from(before.minus(FIRST_SCAN)));
        Flux.from(chunks.find(and(gte("_id", from), lt("_id", upTo), eq("n", 0))).projection(include("files_id")))
                .map(chunk -> chunk.get("files_id"))
                .toIterable()
                .forEach(suspects::add);
        if (scannedUpTo == null || upTo.compareTo(scannedUpTo) > 0) {
            scannedUpTo = upTo;
        }
        int deleted = 0;
        for (Iterator<Object> it = suspects.iterator(); it.hasNext(); ) {
            Object fileId = it.next();
            if (Await.first(files.find(eq("_id", fileId)).projection(include("_id")).first()).isPresent()
                    || Await.first(uploads.find(eq("_id", fileId)).projection(include("_id")).first()).isPresent()) {
                // complete, or a resumable write, which its job expires
                it.remove();
                continue;
            }
            Optional<Document> newest = Await.first(chunks.find(eq("files_id", fileId))
                    .projection(include("_id")).sort(descending("n")).first());
            if (newest.isEmpty()) {
                it.remove();
            } else if (newest.get().getObjectId("_id").getDate().toInstant().isBefore(before)) {
                Await.done(chunks.deleteMany(eq("files_id", fileId)));
                it.remove();
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    public java.util.List<BlobInfo> olderThan(Instant before, String after, int limit) {
        org.bson.conversions.Bson old = lt("uploadDate", Date.from(before));
        org.bson.conversions.Bson filter = after.isEmpty() ? old : and(old, gt("_id", key(after)));
        return Await.all(files.find(filter).sort(ascending("_id")).limit(limit)).stream()
                .map(GridFsBlobStore::toInfo).toList();
    }

    @Override
    public boolean reachable() {
        try {
            Await.done(database.runCommand(new Document("ping", 1)));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        // the client is owned and closed by Mongo
    }

    private void deleteChunks(Object id, Exception cause) {
        try {
            Await.done(chunks.deleteMany(eq("files_id", id)));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void settle(Deque<Insert> inFlight) {
        boolean interrupted = false;
        for (Insert insert : inFlight) {
            if (!interrupted) {
                try {
                    insert.future().get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException e) {
                    // failed or hung inserts are what the delete below cleans up after
                }
            }
            // every spare buffer goes back, landed or not: the budget must not leak with failed writes
            if (insert.extra()) {
                buffers.releaseExtra();
            }
        }
        inFlight.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CompletableFuture<?> insert) throws IOException {
        try {
            insert.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing a chunk");
        } catch (ExecutionException e) {
            throw new StoreUnavailableException("cannot write chunk: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("chunk write timed out", e);
        }
    }

    private static BlobInfo toInfo(Document file) {
        Document meta = file.get("metadata", new Document());
        Object id = file.get("_id");
        return new BlobInfo(id instanceof ObjectId legacy ? legacy.toHexString() : (String) id,
                ((Number) file.get("length")).longValue(),
                new BlobMetadata(meta.getString("owner"), meta.getString("job_id"), meta.getString("content_type"),
                        file.getString("filename")),
                file.getDate("uploadDate").toInstant());
    }

    /** The files document's {@code _id}: the id itself, an ObjectId for blobs stored before random ids. */
    private static Object key(String id) {
        return BlobIds.isLegacy(id) ? new ObjectId(id) : id;
    }

    /** Reads a byte range out of a stream of chunk documents, fetched two at a time. */
    private static final class ChunkInputStream extends InputStream {
        private final Stream<Document> docs;
        private final Iterator<Document> iterator;
        private int expectedN;
        private long skip;
        private long remaining;
        private byte[] current = new byte[0];
        private int pos;

        ChunkInputStream(Stream<Document> docs, int firstN, long skip, long length) {
            this.docs = docs;
            this.iterator = docs.iterator();
            this.expectedN = firstN;
            this.skip = skip;
            this.remaining = length;
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
            if (remaining <= 0) {
                return -1;
            }
            while (pos >= current.length) {
                if (!nextChunk()) {
                    throw new IOException("blob is missing chunk " + expectedN);
                }
            }
            int n = (int) Math.min(Math.min(len, current.length - pos), remaining);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            remaining -= n;
            return n;
        }

        private boolean nextChunk() {
            if (!iterator.hasNext()) {
                return false;
            }
            Document doc = iterator.next();
            int n = doc.getInteger("n");
            if (n != expectedN) {
                throw new IllegalStateException("GridFS chunk " + expectedN + " missing (found " + n + ")");
            }
            expectedN++;
            current = doc.get("data", Binary.class).getData();
            pos = (int) skip;
            skip = 0;
            return true;
        }

        @Override
        public void close() {
            docs.close();
        }
    }
}
