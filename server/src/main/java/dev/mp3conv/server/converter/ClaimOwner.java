package dev.mp3conv.server.converter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The lease owner a claim writes ({@code lease_owner} of a job or a segment unit): the converter's id and the number
 * of this process's claims, so that each claim is its own. Every slot of a process shares the converter's id; with it
 * alone, a slot whose lease ran out, and whose job another slot of the same process then claimed, could still renew,
 * complete, fail or release that other slot's claim. The id in front keeps the holder readable to an operator.
 */
final class ClaimOwner {
    private static final AtomicLong CLAIMS = new AtomicLong();

    private ClaimOwner() {
    }

    /**
     * A new owner for one claim.
     *
     * @param workerId the converter's id
     * @return {@code <workerId>/<n>}, never given out twice by this process
     */
    static String next(String workerId) {
        return workerId + "/" + CLAIMS.incrementAndGet();
    }
}
