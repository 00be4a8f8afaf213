package io.pbx3sbc.routingdb.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child process with its output in a log file; stopped (and its children killed) on close. */
public final class LocalProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String name;

    private LocalProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static LocalProcess start(String name, Path log, List<String> command) throws IOException {
        return start(name, log, command, java.util.Map.of());
    }

    /** Starts with extra environment variables on top of this process's own. */
    public static LocalProcess start(String name, Path log, List<String> command, java.util.Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        return new LocalProcess(name, pb.start(), log);
    }

    /** Sends SIGTERM to the process itself (not its children), as Kubernetes does on pod deletion. */
    public void terminate() {
        process.destroy();
    }

    /** The path of a required tool, or a failure that says how to get it: tests never skip silently. */
    public static String requireTool(String tool, String hint) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String candidate : List.of(dir + "/" + tool)) {
                if (Files.isExecutable(Path.of(candidate))) {
                    return candidate;
                }
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return dir + "/" + tool;
            }
        }
        throw new IllegalStateException(tool + " is not installed: " + hint);
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (log().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not log '" + text + "' within " + timeout + ":\n" + log());
    }

    /** Waits for the process to end by itself; returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }
}
