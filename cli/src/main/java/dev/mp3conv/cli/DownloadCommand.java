package dev.mp3conv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv download ID}: saves a finished MP3, resuming a partial download.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
         description = {"Download the MP3 of a finished job.",
                        "Writes FILE.JOBID.part first and renames it when complete; an interrupted download resumes."})
final class DownloadCommand implements Callable<Integer> {
    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id (see `mp3conv status`).")
    String id;

    // a String, not a Path: Path drops the trailing slash that says "a directory"
    @Option(names = {"-o", "--output"}, paramLabel = "FILE|DIR",
            description = {"Where to save: a file name, or a directory (default: the current directory).",
                           "A name ending in / is a directory, created when missing."})
    String output;

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        ApiClient api = root.api();
        JobView job = api.job(id);
        if (job.state() == JobState.FAILED) {
            throw new CliException(ExitCode.JOB_FAILED, "job " + id + " failed: " + UploadCommand.reason(job));
        }
        if (job.state() != JobState.DONE) {
            throw new CliException(ExitCode.ERROR, "job " + id + " is not done yet (" + job.state() + " "
                    + Math.round(job.progress() * 100) + "%); wait with `mp3conv status " + id + " --watch`");
        }
        Path target = target(job);
        long size = new Downloader(api, root.env(), spec.commandLine().getErr()).download(id, target, force);
        Map<String, Object> saved = new LinkedHashMap<>();
        saved.put("id", id);
        saved.put("path", target.toString());
        saved.put("size", size);
        spec.commandLine().getOut().println(root.json() ? Json.mapper().writeValueAsString(saved) : target.toString());
        return ExitCode.OK;
    }

    private Path target(JobView job) throws IOException {
        String name = Mp3Names.of(job.filename(), job.id());
        Path cwd = root.env().workingDir();
        if (output == null) {
            return cwd.resolve(name);
        }
        Path resolved = cwd.resolve(output);
        if (Files.isDirectory(resolved)) {
            return resolved.resolve(name);
        }
        if (output.endsWith("/") || output.endsWith(java.io.File.separator)) {
            if (Files.exists(resolved)) {
                throw new CliException(ExitCode.ERROR, output + ": not a directory");
            }
            return Files.createDirectories(resolved).resolve(name);
        }
        if (resolved.getParent() == null || !Files.isDirectory(resolved.getParent())) {
            throw new CliException(ExitCode.ERROR, output + ": no such directory");
        }
        return resolved;
    }
}
