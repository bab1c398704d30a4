package dev.corral.pool.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;

/**
 * The JVM's file descriptors: recognises their exhaustion (EMFILE, ENFILE) and describes the
 * limit for the log. Reading the limit needs no descriptor (getrlimit), so it works at the very
 * moment there is none left. Stateless; thread-safe.
 */
final class Descriptors {
    private Descriptors() {
    }

    /** Whether this failure means the process (or the system) has no file descriptor left. */
    static boolean exhausted(IOException e) {
        String message = e.getMessage();
        return message != null && message.contains("Too many open files");   // EMFILE, and ENFILE's "... in system"
    }

    /** "N open of ulimit -n M" (the open count only when it can be read), for log lines. */
    static String describe() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long open;
            try {
                open = unix.getOpenFileDescriptorCount();
            } catch (InternalError e) {
                open = -1;   // counting needs a descriptor to read /proc/self/fd: none is left
            }
            return (open >= 0 ? open + " open of " : "") + "ulimit -n " + unix.getMaxFileDescriptorCount();
        }
        return "file descriptor limit unknown";
    }
}
