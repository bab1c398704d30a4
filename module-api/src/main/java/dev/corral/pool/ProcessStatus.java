package dev.corral.pool;

/**
 * A snapshot of one app process.
 *
 * @param pid        the operating-system pid of the process (its process group id)
 * @param state      its lifecycle state ({@code STARTING}, {@code READY}, {@code DRAINING}, {@code STOPPING})
 * @param sessions   requests in flight on it
 * @param processed  requests it has finished
 * @param address    the socket path or {@code 127.0.0.1:port} it listens on
 */
public record ProcessStatus(long pid, String state, int sessions, long processed, String address) {
}
