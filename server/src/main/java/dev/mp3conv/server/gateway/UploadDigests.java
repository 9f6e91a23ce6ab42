package dev.mp3conv.server.gateway;

import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The SHA-256 state of resumable uploads between their PATCHes, kept in this process only as a shortcut:
 * the JDK's digest (hardware-accelerated, 1.7 GB/s measured here) cannot be saved to the jobs collection,
 * and BouncyCastle's saveable one ran at 0.21 GB/s, which would cap uploads. When an upload moves to
 * another process (a restart, another replica) its state is missing here and the upload is hashed from
 * the store once complete. At most {@value #MAX} uploads are remembered (least recently used go first).
 */
final class UploadDigests {
    private static final int MAX = 4096;

    private record State(long offset, MessageDigest digest) {
    }

    private final Map<String, State> states = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > MAX;
        }
    };

    /**
     * A copy of the state after exactly {@code offset} bytes of the upload.
     *
     * @param jobId  the upload
     * @param offset bytes hashed
     * @return the state to go on from, empty when this process does not have it
     */
    synchronized Optional<MessageDigest> at(String jobId, long offset) {
        State state = states.get(jobId);
        if (state == null || state.offset() != offset) {
            return Optional.empty();
        }
        try {
            return Optional.of((MessageDigest) state.digest().clone());
        } catch (CloneNotSupportedException e) {
            return Optional.empty();
        }
    }

    /**
     * Remembers the state after {@code offset} committed bytes.
     *
     * @param jobId  the upload
     * @param offset bytes hashed
     * @param digest the state; not used by the caller afterwards
     */
    synchronized void put(String jobId, long offset, MessageDigest digest) {
        states.put(jobId, new State(offset, digest));
    }

    /**
     * Forgets an upload (finished, terminated, or its state is no longer right).
     *
     * @param jobId the upload
     */
    synchronized void forget(String jobId) {
        states.remove(jobId);
    }
}
