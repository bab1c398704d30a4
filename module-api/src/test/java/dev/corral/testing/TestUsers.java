package dev.corral.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * System users for the tests of user switching, made with {@code useradd} when missing (CI
 * machines start clean; tests run there as root): no home directory, no login shell, a group of
 * their own. Idempotent, and safe when several test JVMs make the same user at once.
 */
public final class TestUsers {

    /** A user as {@code getent passwd} has it. */
    public record User(String name, int uid, int gid, Path home) {
    }

    private TestUsers() {
    }

    /** Whether this JVM runs as root (its effective uid is 0). */
    public static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The user {@code name}, made first if it does not exist (needs root). */
    public static User ensure(String name) {
        // useradd fails while another one holds the lock of /etc/passwd: try again, within a deadline
        await("system user " + name).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> lookup(name) != null || (run("useradd", "--system", "--user-group", "--no-create-home",
                        "--shell", "/usr/sbin/nologin", name) >= 0 && lookup(name) != null));
        return lookup(name);
    }

    /** The user {@code name}, or null if there is none. */
    public static User lookup(String name) {
        String line = output("getent", "passwd", name);
        if (line.isEmpty()) {
            return null;
        }
        String[] f = line.strip().split(":", -1);
        return new User(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5]));
    }

    /** Runs {@code command} as {@code user} (its uid, its group, no other groups) and returns its exit status. */
    public static int runAs(User user, String... command) {
        List<String> words = new java.util.ArrayList<>(List.of("setpriv", "--reuid=" + user.uid(),
                "--regid=" + user.gid(), "--clear-groups", "--"));
        words.addAll(List.of(command));
        return run(words.toArray(String[]::new));
    }

    /** The exit status of {@code command} (its output discarded), -1 if it did not end within 30 s. */
    public static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
