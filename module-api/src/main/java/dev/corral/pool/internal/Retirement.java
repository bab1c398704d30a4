package dev.corral.pool.internal;

/**
 * Why Corral took a process out of service, for its exit line. Whether its exit counts as a
 * crash does not depend on why, only on who ended it ({@link AppProcess#expectsExit}). Immutable.
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
        /** It cut a response short and had exited, or its socket was gone. */
        CUT_SHORT,
        /** It refused a connection and had exited, or its socket was gone. */
        CONNECT_FAILED,
        /** Its spawn failed (already reported with the app's output). */
        SPAWN_FAILED,
        /** An operator detached it. */
        DETACHED,
        /** The app is stopping. */
        SHUTDOWN
    }

    /**
     * Whether the process lived until Corral recycled it: recycling can retire processes sooner
     * than a crash window, and such a process proves the app works.
     */
    boolean provesTheAppWorks() {
        return kind == Kind.RECYCLED;
    }
}
