package dev.mp3conv.server.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mp3conv.model.JobEvent;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobChanges;
import dev.mp3conv.server.jobs.JobRepository;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;

/**
 * Server-Sent Events of one job: an {@code event: job} with the {@link JobEvent} JSON whenever the state,
 * progress or error changes, ending after DONE or FAILED (or when the job is deleted). Changes are pushed:
 * the stream watches {@link dev.mp3conv.server.jobs.JobChanges} (announced by this process's repository, or
 * by other processes through the queue) and reads the job again the moment it is told, so an event leaves
 * within milliseconds of the change. The jobs collection stays the source of truth: the stream also reads
 * it every {@code fallbackPoll} in case an announcement was lost, and a comment every
 * {@value #KEEP_ALIVE_POLLS} quiet polls keeps proxies from closing an idle stream and notices a client that
 * went away.
 */
final class JobEvents {
    static final String EVENT_NAME = "job";
    private static final int KEEP_ALIVE_POLLS = 8;

    private final JobRepository jobs;
    private final Duration fallbackPoll;
    private volatile boolean closed;

    JobEvents(JobRepository jobs, Duration fallbackPoll) {
        this.jobs = jobs;
        this.fallbackPoll = fallbackPoll;
    }

    void stream(ServerResponse res, Job job) {
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        Semaphore changed = new Semaphore(0);
        try (SseSink sink = res.sink(SseSink.TYPE);
             JobChanges.Watch watch = jobs.changes().watch(job.id(), changed::release)) {
            JobEvent last = null;
            Optional<Job> current = Optional.of(job);
            int quietPolls = 0;
            while (current.isPresent() && !closed) {
                JobEvent event = event(current.get());
                if (!event.equals(last)) {
                    sink.emit(SseEvent.builder().name(EVENT_NAME).data(json(event)).build());
                    last = event;
                    quietPolls = 0;
                } else if (++quietPolls >= KEEP_ALIVE_POLLS) {
                    sink.emit(SseEvent.builder().comment("keep-alive").build());
                    quietPolls = 0;
                }
                if (event.state().terminal() || !awaitChange(changed)) {
                    return;
                }
                current = jobs.find(job.id());
            }
        }
    }

    /** Ends open streams (shutdown). */
    void close() {
        closed = true;
    }

    /** Waits for an announcement or the fallback poll; announcements that came meanwhile are folded into one read. */
    private boolean awaitChange(Semaphore changed) {
        try {
            if (changed.tryAcquire(fallbackPoll.toMillis(), TimeUnit.MILLISECONDS)) {
                changed.drainPermits();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
    private static JobEvent event(Job job) {
        return new JobEvent(job.id(), job.state(), job.progress(), job.error());
    }

    private static String json(JobEvent event) {
        try {
            return Json.mapper().writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a job event", e);
        }
    }
}
