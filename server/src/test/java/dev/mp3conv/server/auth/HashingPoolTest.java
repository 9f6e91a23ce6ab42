package dev.mp3conv.server.auth;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.mp3conv.server.http.ProblemException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The pool's bounds, with work whose length the test controls (no hashing, no sockets). */
class HashingPoolTest {
    @Test
    void workBeyondTheThreadsWaitsAtMostMaxWaitThenIs503AndNeverRuns() throws Exception {
        try (HashingPool pool = new HashingPool(1, Duration.ofMillis(100))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> pool.run(() -> {
                started.countDown();
                release.await();
                return "first";
            }));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            AtomicBoolean secondRan = new AtomicBoolean();
            assertThatThrownBy(() -> pool.run(() -> secondRan.getAndSet(true)))
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.status().code()).isEqualTo(503);
                        assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
                    });

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(pool.run(() -> "after")).as("the pool serves again").isEqualTo("after");
            assertThat(secondRan).as("withdrawn work is never run").isFalse();
            assertThat(pool.completed()).isEqualTo(2);
        }
    }

    @Test
    void workThatStartedWithinTheWaitIsWaitedFor() throws Exception {
        try (HashingPool pool = new HashingPool(1, Duration.ofMillis(50))) {
            assertThat(pool.run(() -> {
                Thread.sleep(300); // longer than the wait: once started, the caller still gets the result
                return 42;
            })).isEqualTo(42);
        }
    }

    @Test
    void failuresReachTheCallerAndAPoolOfZeroRunsOnTheCallersThread() {
        try (HashingPool pool = new HashingPool(1, Duration.ofSeconds(1));
             HashingPool off = new HashingPool(0, Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> pool.run(() -> {
                throw new IllegalArgumentException("corrupt");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("corrupt");
            Thread caller = Thread.currentThread();
            assertThat(off.run(() -> Thread.currentThread() == caller)).isTrue();
            assertThat(pool.run(() -> Thread.currentThread() == caller)).isFalse();
        }
    }

    @Test
    void closingAnswersQueuedCallersInsteadOfLeavingThemWaiting() throws Exception {
        HashingPool pool = new HashingPool(1, Duration.ofMinutes(5));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> blocker = CompletableFuture.supplyAsync(() -> pool.run(() -> {
            started.countDown();
            return new CountDownLatch(1).await(10, TimeUnit.SECONDS);
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Object> queued = CompletableFuture.supplyAsync(() -> pool.run(() -> "never"));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.queued() == 1);

        pool.close();

        assertThat(queued).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .withCauseInstanceOf(ProblemException.class);
        blocker.handle((v, e) -> null).get(20, TimeUnit.SECONDS);
    }
}
