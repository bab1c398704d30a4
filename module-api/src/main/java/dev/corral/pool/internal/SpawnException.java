package dev.corral.pool.internal;

import java.util.List;

/**
 * A process could not be started: which step failed, why, and what the app printed.
 * Carries no stack trace: the message says everything the operator can act on.
 */
final class SpawnException extends Exception {
    /** The steps of a spawn, in order. */
    enum Step { PREPARE, EXEC, AWAIT_LISTEN, HEALTH_CHECK }

    private final Step step;
    private final List<String> outputTail;

    SpawnException(Step step, String detail, List<String> outputTail) {
        super(detail, null, false, false);
        this.step = step;
        this.outputTail = List.copyOf(outputTail);
    }

    Step step() {
        return step;
    }

    List<String> outputTail() {
        return outputTail;
    }

    /** One paragraph for the log: step, detail, and the app's last output lines. */
    String describe(String app, List<String> command) {
        StringBuilder text = new StringBuilder()
                .append("spawning a process for app [").append(app).append("] failed at step ")
                .append(step).append(": ").append(getMessage())
                .append("\n  command: ").append(String.join(" ", command));
        if (outputTail.isEmpty()) {
            text.append("\n  (the app printed nothing)");
        } else {
            text.append("\n  last output of the app:");
            outputTail.forEach(line -> text.append("\n    | ").append(line));
        }
        return text.toString();
    }
}
