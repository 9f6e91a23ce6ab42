package dev.mp3conv.server.auth;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.mp3conv.server.http.ProblemException;

/**
 * Runs argon2id work on a few platform threads (about one per core) instead of on the request's virtual
 * thread. A hash is ~55 ms of CPU that never yields: on the virtual-thread scheduler, which has one carrier
 * thread per core, 48 clients logging in at once held every carrier, and the admin health check waited
 * 4.4 s at p95 (bench/hash-flood.sh). Here the work waits in the pool's queue at most {@code maxWait} for
 * one of the {@code threads} threads, then the caller gets 503 with {@code Retry-After} (also at once when
 * {@value #QUEUE_PER_THREAD} per thread are already waiting), so the queue stays bounded in time and size,
 * at most {@code threads} hashes hold their 7 MiB at once, and the rest of the process keeps its share
 * of the CPU.
 *
 * <p>{@code threads == 0} turns the pool off: the work runs on the caller's thread without any bound, as
 * before this class existed. It is there only so the bench can measure both side by side.
 */
final class HashingPool implements AutoCloseable {
    /** Waiting hashes per thread beyond which a request is refused at once rather than after the wait. */
    static final int QUEUE_PER_THREAD = 64;

    private final int threads;
    private final Duration maxWait;
    private final ThreadPoolExecutor executor;
    /** Hashes inside their work now; counted by the work itself, so a slow thread wake-up does not count as busy. */
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();

    HashingPool(int threads, Duration maxWait) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0");
        }
        this.threads = threads;
        this.maxWait = maxWait;
        // the queue lives in the executor, so a thread that finishes a hash takes the next one at once,
        // without waiting for the submitting virtual thread to be scheduled; daemon threads, so the
        // `user` subcommand's JVM can exit without closing the pool
        this.executor = threads == 0 ? null : new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD),
                Thread.ofPlatform().daemon().name("argon2-", 1).factory());
        if (executor != null) {
            executor.prestartAllCoreThreads(); // the first request must not wait for a thread to be created
        }
    }

    /**
     * Runs one piece of hashing work and waits for its result.
     *
     * @param work the hash or verification
     * @param <T>  its result
     * @return the result
     * @throws ProblemException 503 with {@code Retry-After} when no thread took the work within the wait
     */
    <T> T run(Callable<T> work) {
        if (executor == null) {
            return Job.now(work, completed);
        }
        Job<T> job = new Job<>(work, running, completed);
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            throw busy();
        }
        try {
            return job.result.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // every thread busy and this job not started: withdrawn, so no thread will run it later. Started
            // already, or a thread free that was merely not scheduled yet (an overloaded host): wait for it
            if (running.get() >= threads && job.withdraw()) {
                throw busy();
            }
            return job.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.withdraw();
            throw busy();
        } catch (ExecutionException e) {
            throw Job.unwrap(e);
        }
    }

    private ProblemException busy() {
        return ProblemException.unavailable("the server is busy checking passwords",
                maxWait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : maxWait);
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
     * Jobs waiting for a thread (tests).
     *
     * @return count
     */
    int queued() {
        return executor == null ? 0 : executor.getQueue().size();
    }

    @Override
    public void close() {
        if (executor != null) {
            // callers of jobs that will never run get a 503 instead of waiting for ever
            executor.shutdownNow().forEach(job -> ((Job<?>) job).abandon(busy()));
        }
    }

    /** One piece of work, claimed once: by the pool thread that runs it, or by its caller withdrawing it. */
    private static final class Job<T> implements Runnable {
        private final Callable<T> work;
        private final AtomicInteger running;
        private final AtomicLong completed;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CompletableFuture<T> result = new CompletableFuture<>();

        Job(Callable<T> work, AtomicInteger running, AtomicLong completed) {
            this.work = work;
            this.running = running;
            this.completed = completed;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return; // withdrawn by its caller
            }
            running.incrementAndGet();
            T value = null;
            Throwable failure = null;
            try {
                value = work.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                // counted before the caller hears of it, so a caller that reads the counts sees its own work
                running.decrementAndGet();
                completed.incrementAndGet();
            }
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        }

        /** True when no thread had started the job, which now never runs. */
        boolean withdraw() {
            return claimed.compareAndSet(false, true);
        }

        void abandon(RuntimeException why) {
            if (withdraw()) {
                result.completeExceptionally(why);
            }
        }

        T await() {
            try {
                return result.get();
            } catch (ExecutionException e) {
                throw unwrap(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while hashing a password", e);
            }
        }

        static <T> T now(Callable<T> work, AtomicLong completed) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("password hashing failed", e);
            } finally {
                completed.incrementAndGet();
            }
        }

        static RuntimeException unwrap(ExecutionException e) {
            return e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("password hashing failed", e.getCause());
        }
    }
}
