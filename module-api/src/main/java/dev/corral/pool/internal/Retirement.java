package dev.corral.pool.internal;

/**
 * Why Corral took a process out of service, for its exit line and for the crash accounting: an
 * exit Corral caused is no crash, one it did not cause counts towards crash-loop damping.
 * Immutable.
 *
 * @param kind   what retired it
 * @param reason the operator's words for it (shown in the exit line), or null
 */
record Retirement(Kind kind, String reason) {

    enum Kind {
        /** maxRequests, maxMemory, idleTimeout or a rolling restart: it served until retired. */
        RECYCLED,
        /** maxPoolProcesses: another app needed its slot. */
        EVICTED,
        /** Health checks or errorLimit marked it down. */
        DOWN,
        /** A request ran past maxRequestTime: the process was killed. */
        TIMED_OUT,
        /** It cut a response short: an exit by Corral's stop (0 or SIGTERM) is no crash, any other is. */
        CUT_SHORT,
        /** It refused connections: it is broken, so its exit still counts as a crash. */
        CONNECT_FAILED,
        /** Its spawn failed (already reported with the app's output). */
        SPAWN_FAILED,
        /** An operator detached it. */
        DETACHED,
        /** The app is stopping. */
        SHUTDOWN
    }

    /** Whether an exit with this status is what Corral's retiring the process leads to. */
    boolean expects(int exitCode) {
        return switch (kind) {
            case CONNECT_FAILED -> false;
            case CUT_SHORT -> ExitStatus.clean(exitCode);
            default -> true;
        };
    }

    /**
     * Whether the process lived until Corral recycled it: recycling can retire processes sooner
     * than a crash window, and such a process proves the app works.
     */
    boolean provesTheAppWorks() {
        return kind == Kind.RECYCLED;
    }
}
