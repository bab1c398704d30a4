package dev.corral.pool.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Copies one output stream of an app process (its stdout or its stderr) to the container's log,
 * one line at a time at that stream's level with the app name and pid as prefix, and adds each
 * line to the process's {@link OutputTail}. One daemon thread per stream: it ends at the
 * stream's end (every process that held the pipe open has closed it, or the JDK closed it after
 * the lifeline's exit, once its last bytes were read), and then runs {@code ended}.
 */
final class OutputPump implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.corral.app");

    private final InputStream output;
    private final Level level;
    private final Supplier<String> prefix;
    private final OutputTail tail;
    private final Runnable ended;

    private OutputPump(InputStream output, Level level, Supplier<String> prefix, OutputTail tail, Runnable ended) {
        this.output = output;
        this.level = level;
        this.prefix = prefix;
        this.tail = tail;
        this.ended = ended;
    }

    /**
     * Starts copying {@code output} (named {@code stream} in the thread's name) at {@code level};
     * {@code prefix} is asked per line, as the app's pid becomes known only later.
     */
    static void start(InputStream output, String stream, Level level, Supplier<String> prefix, OutputTail tail,
            Runnable ended) {
        Thread thread = new Thread(new OutputPump(output, level, prefix, tail, ended), "corral-" + stream + " " + prefix.get());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                tail.add(line);
                LOG.log(level, "[{0}] {1}", prefix.get(), line);
            }
        } catch (IOException e) {
            // the stream was closed under the pump: nothing more can be read
        } finally {
            ended.run();
        }
    }
}
