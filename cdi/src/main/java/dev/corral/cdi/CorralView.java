package dev.corral.cdi;

import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.pool.Corral;
import dev.corral.pool.ProcessStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of the Corral apps that run in this JVM and their processes: the same
 * snapshots ({@link AppStatus}, {@link ProcessStatus}) that JMX, the status page and the
 * metrics show. Inject it with {@code @Inject CorralView corral;}.
 *
 * <p>Stateless and thread-safe: every call reads the engines as they are now
 * ({@link Corral#running()}).
 */
public final class CorralView {

    /** Every app of every running engine, in the order they were added. */
    public List<AppStatus> apps() {
        List<AppStatus> apps = new ArrayList<>();
        for (Corral corral : Corral.running()) {
            for (App app : corral.apps()) {
                apps.add(app.status());
            }
        }
        return apps;
    }

    /** The names of the running apps. */
    public List<String> appNames() {
        List<String> names = new ArrayList<>();
        Corral.running().forEach(corral -> corral.apps().forEach(app -> names.add(app.name())));
        return names;
    }

    /** One app's snapshot, if an app of that name runs. */
    public Optional<AppStatus> app(String name) {
        return Corral.runningApp(name).map(App::status);
    }

    /** One app's processes (empty if no app of that name runs). */
    public List<ProcessStatus> processes(String name) {
        return app(name).map(AppStatus::processList).orElse(List.of());
    }

    /** Whether {@code pid} is a live process of the app {@code name}. */
    public boolean isProcessOf(String name, long pid) {
        return processes(name).stream().anyMatch(process -> process.pid() == pid);
    }

    /** Every engine as text (what the {@code dump} operation of the Engine MBean shows). */
    public String dump() {
        StringBuilder text = new StringBuilder();
        Corral.running().forEach(corral -> text.append(corral.dump()));
        return text.toString();
    }
}
