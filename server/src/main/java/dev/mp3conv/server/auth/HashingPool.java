package dev.mp3conv.server.auth;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.mp3conv.server.http.ProblemException;

/**
 * Runs argon2id work on a few platform threads (about one per core) instead of on the request's virtual
 * thread. A hash is ~55 ms of CPU that never yields: on the virtual-thread scheduler, which has one carrier
 * thread per core, 48 clients logging in at once held every carrier, and the admin health check waited
 * 4.4 s at p95 (bench/hash-flood.sh). Here a caller waits at most {@code maxWait} for one of the
 * {@code threads} slots and then gets 503 with {@code Retry-After}, so the queue of waiting logins stays
 * bounded in time and the rest of the process keeps its share of the CPU.
 *
 * <p>{@code threads == 0} turns the pool off: the work runs on the caller's thread without any bound, as
 * before this class existed. It is there only so the bench can measure both side by side.
 */
final class HashingPool implements AutoCloseable {
    private final int threads;
    private final Duration maxWait;
    private final Semaphore slots;
    private final ExecutorService executor;
    private final AtomicLong completed = new AtomicLong();

    HashingPool(int threads, Duration maxWait) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0");
        }
        this.threads = threads;
        this.maxWait = maxWait;
        this.slots = new Semaphore(Math.max(1, threads), true);
        // daemon threads, so the `user` subcommand's JVM can exit without closing the pool
        this.executor = threads == 0 ? null
                : Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("argon2-", 1).factory());
    }

    /** A pool of one thread per available processor (the JVM counts a container's CPU limit). */
    static HashingPool perCore(Duration maxWait) {
        return new HashingPool(Runtime.getRuntime().availableProcessors(), maxWait);
    }

    /**
     * Runs one piece of hashing work and waits for its result.
     *
     * @param work the hash or verification
     * @param <T>  its result
     * @return the result
     * @throws ProblemException 503 with {@code Retry-After} when no thread became free within the wait
     */
    <T> T run(Callable<T> work) {
        if (executor == null) {
            try {
                return call(work);
            } finally {
                completed.incrementAndGet();
            }
        }
        acquire();
        Future<T> result;
        try {
            // the slot is released when the work ends, not when the caller stops waiting, so an
            // interrupted caller cannot let more hashes run than there are threads
            result = executor.submit(() -> {
                try {
                    return work.call();
                } finally {
                    completed.incrementAndGet();
                    slots.release();
                }
            });
        } catch (RejectedExecutionException e) {
            slots.release();
            throw busy();
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("password hashing failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        }
    }

    private void acquire() {
        try {
            if (!slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        }
    }

    private ProblemException busy() {
        return ProblemException.unavailable("the server is busy checking passwords; try again shortly",
                maxWait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : maxWait);
    }

    private static <T> T call(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("password hashing failed", e);
        }
    }

    /**
     * Hashes and verifications run so far (tests prove with it that a request spent none).
     *
     * @return count
     */
    long completed() {
        return completed.get();
    }

    /**
     * Threads of the pool, 0 when it is off.
     *
     * @return threads
     */
    int threads() {
        return threads;
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
