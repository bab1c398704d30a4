package dev.corral.fault;

import java.util.Arrays;
import java.util.Optional;

/** The I/O seams where Corral can inject a fault, with their names in a fault spec. */
public enum FaultPoint {
    /** Starting a process fails as if fork/exec had failed. */
    SPAWN("spawn"),
    /** A started process never becomes ready: its readiness is ignored until {@code spawnTimeout} kills it. */
    SPAWN_TIMEOUT("spawn-timeout"),
    /** Connecting to a process is refused. */
    CONNECT("connect"),
    /** Connecting fails with "too many open files" (EMFILE). */
    EMFILE("emfile"),
    /** The connection to a process is reset while its response is read. */
    READ_RESET("read-reset"),
    /** Writing the request to a process fails with a reset. */
    WRITE_RESET("write-reset"),
    /** The response is cut off after its head: the connection to the process closes mid-body. */
    TRUNCATE("truncate"),
    /** Reading from a process is delayed (a latency, given with {@code @duration}). */
    LATENCY("latency"),
    /** The process is killed (SIGKILL) while it serves the request. */
    KILL("kill"),
    /** A health check fails. */
    HEALTH("health");

    private final String specName;

    FaultPoint(String specName) {
        this.specName = specName;
    }

    public String specName() {
        return specName;
    }

    public static Optional<FaultPoint> bySpecName(String name) {
        return Arrays.stream(values()).filter(p -> p.specName.equals(name)).findFirst();
    }
}
