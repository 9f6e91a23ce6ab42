package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import dev.mp3conv.model.JobPage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv status [ID]}: one job, or a table of the user's jobs, newest first.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
         description = {"Show one job, or a table of your jobs (newest first).",
                        "With --watch, follow until the job (or every listed job) is DONE or FAILED;",
                        "exits 4 when the watched job ID FAILED."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "Job id; without it, list your jobs.")
    String id;

    @Option(names = {"-w", "--watch"}, description = "Follow until finished.")
    boolean watch;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Jobs per page (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "Page to show, from a previous listing.")
    String cursor;

    @Override
    public Integer call() throws InterruptedException {
        if (limit < 1) {
            throw new CliException(ExitCode.USAGE, "--limit must be at least 1");
        }
        ApiClient api = root.api();
        return id == null ? list(api) : one(api);
    }

    private int one(ApiClient api) {
        PrintWriter out = spec.commandLine().getOut();
        String json = api.jobJson(id);
        JobView job = ApiClient.read(json, JobView.class);
        if (watch && job.state() != null && !job.state().terminal()) {
            new JobFollower(api, root.env(), spec.commandLine().getErr(), root.verbose()).follow(id, job.filename());
            json = api.jobJson(id);
            job = ApiClient.read(json, JobView.class);
        }
        out.print(root.json() ? json.strip() + System.lineSeparator() : JobTable.details(job, root.env().clock().instant()));
        out.flush();
        return watch && job.state() == JobState.FAILED ? ExitCode.JOB_FAILED : ExitCode.OK;
    }

    private int list(ApiClient api) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        String shown = null;
        while (true) {
            String json = api.jobsJson(limit, cursor);
            JobPage page = ApiClient.read(json, JobPage.class);
            String text = root.json() ? json.strip() + System.lineSeparator() : render(page);
            if (!text.equals(shown)) {
                out.print(text);
                out.flush();
                shown = text;
                if (!root.json() && page.nextCursor() != null) {
                    // a hint for the person, not a row: stderr keeps it out of a piped table
                    spec.commandLine().getErr().println("More: mp3conv status --cursor " + page.nextCursor());
                    spec.commandLine().getErr().flush();
                }
            }
            boolean running = page.items().stream().anyMatch(job -> job.state() != null && !job.state().terminal());
            if (!watch || !running) {
                return ExitCode.OK;
            }
            Thread.sleep(root.env().pollInterval());
        }
    }

    private String render(JobPage page) {
        if (page.items().isEmpty()) {
            return cursor == null ? "No jobs yet. Convert a video with: mp3conv upload VIDEO --wait" + System.lineSeparator()
                    : "No more jobs." + System.lineSeparator();
        }
        return JobTable.table(page.items(), root.env().clock().instant());
    }
}
