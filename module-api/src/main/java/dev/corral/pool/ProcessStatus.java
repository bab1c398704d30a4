package dev.corral.pool;

/**
 * A snapshot of one app process.
 *
 * @param pid           the app's own operating-system pid (the lifeline's while it is starting)
 * @param processGroup  the process group of the app's whole tree (the pid of its lifeline)
 * @param state         its lifecycle state ({@code STARTING}, {@code READY}, {@code DRAINING}, {@code STOPPING})
 * @param sessions      requests in flight on it
 * @param processed     requests it has finished
 * @param address       the socket path or {@code 127.0.0.1:port} it listens on
 */
public record ProcessStatus(long pid, long processGroup, String state, int sessions, long processed, String address) {
}
