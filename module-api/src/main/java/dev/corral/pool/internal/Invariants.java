package dev.corral.pool.internal;

/**
 * Executable invariants: checked after every locked state change when assertions are enabled
 * or {@code -Dcorral.selfCheck=true} is set (every test run sets both).
 */
final class Invariants {
    static final boolean ENABLED;

    static {
        boolean assertions = false;
        assert assertions = true;
        ENABLED = assertions || Boolean.getBoolean("corral.selfCheck");
    }

    private Invariants() {
    }

    static void check(boolean holds, Object subject, String what) {
        if (!holds) {
            throw new IllegalStateException("Corral invariant violated for " + subject + ": " + what);
        }
    }
}
