package dev.corral.pool.internal;

import dev.corral.config.AppConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ProcessLauncher} whose processes exist only in memory: each launch waits until the
 * test starts it, makes it ready, fails it or lets it exit. Records every launch in order.
 * Single-threaded.
 */
final class FakeLauncher implements ProcessLauncher {
    /** Above any real pid_max, so that no signal could reach a real process by mistake. */
    private static final long FIRST_PID = 50_000_000L;

    final List<Launch> launches = new ArrayList<>();
    private long nextPid = FIRST_PID;

    @Override
    public List<String> command(AppConfig config) {
        return List.of("fake-app", config.name());
    }

    @Override
    public void launch(AppProcess process, Listener listener) {
        launches.add(new Launch(process, listener));
    }

    /** Launches not yet started, ready or failed. */
    List<Launch> pending() {
        return launches.stream().filter(l -> !l.reported).toList();
    }

    /** Makes every pending launch start and listen, in launch order. */
    void readyAll() {
        for (Launch launch : pending()) {
            launch.ready();
        }
    }

    /** One launch, as the test drives it. */
    final class Launch {
        final AppProcess process;
        private final Listener listener;
        FakeProcess os;
        boolean reported;

        Launch(AppProcess process, Listener listener) {
            this.process = process;
            this.listener = listener;
        }

        /** The OS process exists. */
        Launch start() {
            if (os == null) {
                os = new FakeProcess(nextPid++);
                process.os = os;
                listener.started(process);
            }
            return this;
        }

        /** It listens (on its socket file, for {@code listen=unix}). */
        Launch ready() {
            start();
            if (process.socket != null) {
                try {
                    java.nio.file.Files.createDirectories(process.socket.getParent());
                    if (!java.nio.file.Files.exists(process.socket)) {
                        java.nio.file.Files.createFile(process.socket);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            reported = true;
            listener.ready(process);
            return this;
        }

        /** Its start failed at {@code step}; {@code alive}: the process runs on (until Corral stops it). */
        Launch fail(SpawnException.Step step, String why, boolean alive) {
            if (alive) {
                start();
            }
            reported = true;
            listener.failed(process, new SpawnException(step, why, List.of("fake output: " + why)));
            return this;
        }
    }

    /** An OS process in memory: it exits when told, or when Corral stops it (SIGTERM, SIGKILL). */
    static final class FakeProcess implements OsProcess {
        private final long pid;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final List<String> signals = new ArrayList<>();
        /** Whether SIGTERM ends it at once (as the lifeline does for a well-behaved app). */
        boolean exitsOnTerm = true;
        long residentBytes;

        FakeProcess(long pid) {
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public long appPid() {
            return pid;
        }

        /** Killed, but its exit not reaped and reported yet (what a SIGKILL looks like for a moment). */
        volatile boolean killedNotReaped;

        @Override
        public boolean isAlive() {
            return !killedNotReaped && !exit.isDone();
        }

        /** Exiting, but not reaped yet (what the kernel shows while a killed app's sockets close). */
        volatile boolean dying;

        @Override
        public boolean isDying() {
            return dying || !isAlive();
        }

        @Override
        public CompletableFuture<Integer> onExit() {
            return exit;
        }

        @Override
        public void terminate() {
            signals.add("TERM");
            if (exitsOnTerm) {
                exit(128 + 15);
            }
        }

        @Override
        public void killGroup() {
            signals.add("KILL");
            exit(128 + 9);
        }

        @Override
        public ProcessTable.Usage usage(ProcessTable table) {
            return new ProcessTable.Usage(residentBytes, 0);
        }

        @Override
        public List<String> outputTail() {
            return List.of();
        }

        /** The process exits (and is reaped) with this status. */
        void exit(int status) {
            exit.complete(status);
        }
    }
}
