package dev.corral.pool;

/**
 * A snapshot of one app process.
 *
 * @param pid                the app's own operating-system pid (the lifeline's while it is starting)
 * @param processGroup       the process group of the app's whole tree (the pid of its lifeline)
 * @param state              {@code STARTING}, {@code READY}, {@code DRAINING}, {@code DOWN} or {@code STOPPING}
 * @param sessions           requests in flight on it
 * @param processed          requests it has finished
 * @param address            the socket path or {@code 127.0.0.1:port} it listens on
 * @param generation         the app's restart generation it was started in
 * @param uptimeMillis       time since it was spawned
 * @param idleMillis         time since it last took or finished a request
 * @param residentBytes      resident memory of its whole process tree (0 when it cannot be read)
 * @param cpuMillis          CPU time of its whole process tree (0 when it cannot be read)
 * @param lastCheck          the last health check: {@code passed}, why it failed, or null if none ran yet
 * @param lastCheckAgoMillis time since that check, -1 if none ran yet
 * @param checksPassed       health checks passed in a row
 * @param checksFailed       health checks failed in a row
 */
public record ProcessStatus(long pid, long processGroup, String state, int sessions, long processed, String address,
                            int generation, long uptimeMillis, long idleMillis, long residentBytes, long cpuMillis,
                            String lastCheck, long lastCheckAgoMillis, int checksPassed, int checksFailed) {
}
