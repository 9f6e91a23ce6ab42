package dev.mp3conv.server.storage;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one place where a driver {@link Publisher} is awaited: with a timeout, rethrowing the
 * driver's own exception, and turning "cannot reach the store" into {@link StoreUnavailableException}.
 * Callers run on virtual threads, so blocking here is cheap.
 */
final class Await {
    /** Upper bound for one metadata operation; the driver's own timeouts normally fire first. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Await() {
    }

    /**
     * The first item of a publisher, if any.
     *
     * @param publisher driver publisher
     * @param <T>       item type
     * @return the first item
     */
    static <T> Optional<T> first(Publisher<T> publisher) {
        return call(() -> Mono.from(publisher).blockOptional(TIMEOUT));
    }

    /**
     * All items of a publisher.
     *
     * @param publisher driver publisher
     * @param <T>       item type
     * @return the items, in order
     */
    static <T> List<T> all(Publisher<T> publisher) {
        return call(() -> Flux.from(publisher).collectList().block(TIMEOUT));
    }

    /**
     * Runs a publisher to completion, ignoring its items.
     *
     * @param publisher driver publisher
     */
    static void done(Publisher<?> publisher) {
        call(() -> Flux.from(publisher).then().block(TIMEOUT));
    }

    private static <T> T call(java.util.function.Supplier<T> blocking) {
        try {
            return blocking.get();
        } catch (MongoTimeoutException | MongoSocketException e) {
            throw new StoreUnavailableException("metadata store unavailable: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            // Reactor signals a block() timeout this way
            if (String.valueOf(e.getMessage()).startsWith("Timeout on blocking read")) {
                throw new StoreUnavailableException("metadata store did not answer within " + TIMEOUT, e);
            }
            throw e;
        }
    }
}
