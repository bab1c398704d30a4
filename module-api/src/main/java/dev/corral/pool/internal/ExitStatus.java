package dev.corral.pool.internal;

/** Renders a process exit status as an operator reads it (shell convention: 128+N is signal N). */
final class ExitStatus {
    private static final String[] SIGNALS = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    private ExitStatus() {
    }

    /** The status of a process that stopped as asked: exit code 0, or SIGTERM (Corral's stop). */
    static boolean clean(int code) {
        return code == 0 || code == 128 + 15;
    }

    static String describe(int code) {
        if (code > 128 && code < 128 + 65) {
            int signal = code - 128;
            String name = signal < SIGNALS.length ? SIGNALS[signal] : "signal " + signal;
            return "signal " + signal + " (" + name + ", exit code " + code + ")";
        }
        return "exit code " + code;
    }
}
