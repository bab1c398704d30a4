package dev.corral.fault;

import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Decides, at each I/O seam, whether to inject a fault, with a seeded random generator so that
 * a run with the same seed and the same sequence of requests injects the same faults (the idea
 * of Passenger's simulated syscall failures, after SQLite's testing). Every injected fault is
 * logged with the seed and counted per point. The spec can be changed at run time.
 *
 * <p>Thread-safe: decisions are drawn from one generator under its monitor, so their order is
 * the order of the calls.
 */
public final class FaultInjector {
    private static final System.Logger LOG = System.getLogger("dev.corral.fault");
    /** Injects nothing, decides at no cost. */
    public static final FaultInjector NONE = new FaultInjector(FaultSpec.NONE, 0);

    private final long seed;
    private final Random random;
    private final AtomicLongArray counts = new AtomicLongArray(FaultPoint.values().length);
    private volatile FaultSpec spec;
    /** Whether {@link #spec} has a point with a probability above 0 (read for every request). */
    private volatile boolean active;

    public FaultInjector(FaultSpec spec, long seed) {
        this.spec = spec;
        this.active = !spec.isNone();
        this.seed = seed;
        this.random = new Random(seed);
    }

    public long seed() {
        return seed;
    }

    public FaultSpec spec() {
        return spec;
    }

    /**
     * Changes what is injected from now on (the seed stays).
     *
     * @throws UnsupportedOperationException on {@link #NONE}, which every part of Corral shares
     */
    public void setSpec(FaultSpec spec) {
        if (this == NONE) {
            throw new UnsupportedOperationException("FaultInjector.NONE injects nothing, ever: change an app's own injector");
        }
        this.spec = spec;
        this.active = !spec.isNone();
        LOG.log(Level.WARNING, "fault injection set to [{0}] (seed {1})", spec, Long.toString(seed));
    }

    /**
     * Whether any fault may be injected: false lets a caller skip building the context of
     * {@link #inject} (the request path does, for every request).
     */
    public boolean mayInject() {
        return active;
    }

    /** Whether to inject {@code point} now; {@code context} names the process and request for the log. */
    public boolean inject(FaultPoint point, String context) {
        double p = spec.probability(point);
        if (p <= 0) {
            return false;
        }
        boolean hit;
        synchronized (random) {
            hit = random.nextDouble() < p;
        }
        if (hit) {
            long n = counts.incrementAndGet(point.ordinal());
            LOG.log(Level.WARNING, "fault injected: {0} #{1} (seed {2}) at {3}", point.specName(), n, Long.toString(seed),
                    context);
        }
        return hit;
    }

    /** Injected faults so far, per point. */
    public Map<FaultPoint, Long> counts() {
        Map<FaultPoint, Long> result = new EnumMap<>(FaultPoint.class);
        for (FaultPoint point : FaultPoint.values()) {
            result.put(point, counts.get(point.ordinal()));
        }
        return result;
    }
}
