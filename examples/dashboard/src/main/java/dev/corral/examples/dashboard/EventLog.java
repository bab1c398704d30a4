package dev.corral.examples.dashboard;

import dev.corral.event.CorralEvent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The last {@value #KEEP} events of Corral's apps, as the CDI extension fires them: an observer
 * of {@link CorralEvent} (every kind: ProcessSpawned, ProcessReady, ProcessExited, AppRestarted,
 * AppUnableToStart, QueueFull). The extension delivers them on its own thread, one at a time.
 */
@ApplicationScoped
public class EventLog {
    /** Events kept; older ones are dropped. */
    public static final int KEEP = 100;

    /** One event as it arrived: its number since the webapp started, its kind, the thread that delivered it. */
    public record Entry(long number, String type, String thread, CorralEvent event) {
    }

    private final Deque<Entry> last = new ArrayDeque<>();
    private long received;

    void on(@Observes CorralEvent event) {
        Entry entry;
        synchronized (last) {
            entry = new Entry(++received, event.getClass().getSimpleName(), Thread.currentThread().getName(), event);
            last.addLast(entry);
            if (last.size() > KEEP) {
                last.removeFirst();
            }
        }
    }

    /** The kept events, oldest first. */
    public List<Entry> entries() {
        synchronized (last) {
            return List.copyOf(last);
        }
    }

    /** Events received since the webapp started (kept or not). */
    public long received() {
        synchronized (last) {
            return received;
        }
    }
}
