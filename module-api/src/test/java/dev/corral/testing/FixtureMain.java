package dev.corral.testing;

import dev.corral.config.AppSettings;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Runs a {@link ContainerFixture} in a JVM of its own, for tests that must put the container
 * under limits the test JVM cannot have (a low {@code ulimit -n}). Arguments: the fixture's class,
 * the container's maxThreads, then the app's settings as {@code name=value}. Prints
 * {@code LISTENING <uri>} on stdout once started, logs to stderr, and stops the container (and
 * with it every app process) when stdin reaches end of file, so it never outlives its parent.
 */
public final class FixtureMain {
    private FixtureMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        Logger corral = Logger.getLogger("dev.corral");
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.INFO);
        console.setFormatter(new SimpleFormatter());
        corral.setUseParentHandlers(false);
        corral.addHandler(console);

        Constructor<?> constructor = Class.forName(args[0]).getDeclaredConstructor();
        constructor.setAccessible(true);
        ContainerFixture fixture = (ContainerFixture) constructor.newInstance();
        int maxThreads = Integer.parseInt(args[1]);
        AppSettings app = new AppSettings();
        // tests run as root in CI: a container running as root starts no app as root without it
        app.setAllowRoot("true");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String name = args[i].substring(0, eq);
            Method setter = AppSettings.class.getMethod("set" + name.substring(0, 1).toUpperCase(Locale.ROOT)
                    + name.substring(1), String.class);
            setter.invoke(app, args[i].substring(eq + 1));
        }
        URI base = fixture.start(List.of(app), maxThreads);
        System.out.println("LISTENING " + base);
        System.out.flush();
        try {
            while (System.in.read() >= 0) {
                // the parent holds stdin open while it wants this container
            }
        } finally {
            fixture.close();
            System.out.println("STOPPED");
            System.out.flush();
        }
    }
}
