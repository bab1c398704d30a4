package dev.corral.pool.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The machine's users and groups, and who this JVM runs as: what {@link ProcessUser} needs to
 * decide who an app's processes run as. The system's ({@link #system()}) asks {@code getent}
 * (so users from LDAP or any other NSS source count), or reads {@code /etc/passwd} and
 * {@code /etc/group} where there is no {@code getent}; this JVM's effective ids come from
 * {@code /proc/self/status}. No JNI. Thread-safe.
 */
interface Accounts {

    /** A user as the password database has it. */
    record Account(String name, int uid, int gid, Path home) {
    }

    /** The user of that name, or of that uid when {@code nameOrUid} is a number. */
    Optional<Account> user(String nameOrUid);

    /** The gid of the group of that name, or that gid when {@code nameOrGid} is a number of a known group. */
    OptionalInt group(String nameOrGid);

    /** Who this JVM runs as: its effective uid and gid, and the user's name and home if known. */
    Account self();

    static Accounts system() {
        return SystemAccounts.INSTANCE;
    }

    /** The {@code getent} / {@code /etc} / {@code /proc} implementation. */
    final class SystemAccounts implements Accounts {
        static final SystemAccounts INSTANCE = new SystemAccounts();
        private static final long GETENT_SECONDS = 10;

        @Override
        public Optional<Account> user(String nameOrUid) {
            return entry("passwd", nameOrUid, 6).map(f -> new Account(f[0], Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), Path.of(f[5])));
        }

        @Override
        public OptionalInt group(String nameOrGid) {
            return entry("group", nameOrGid, 3).map(f -> OptionalInt.of(Integer.parseInt(f[2]))).orElse(OptionalInt.empty());
        }

        @Override
        public Account self() {
            int uid = effectiveId("Uid:");
            int gid = effectiveId("Gid:");
            return user(Integer.toString(uid)).map(a -> new Account(a.name(), uid, gid, a.home()))
                    .orElseGet(() -> new Account(System.getProperty("user.name", "uid " + uid), uid, gid,
                            Path.of(System.getProperty("user.home", "/"))));
        }

        /** The effective id (the second of four) of the {@code Uid:} or {@code Gid:} line of /proc/self/status. */
        private static int effectiveId(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                    if (line.startsWith(key)) {
                        return Integer.parseInt(line.substring(key.length()).trim().split("\\s+")[1]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot read this JVM's " + key + " from /proc/self/status: " + e, e);
            }
            throw new IllegalStateException("/proc/self/status has no " + key + " line");
        }

        /** The fields of the entry of {@code database} for {@code key} (a name, or an id), with at least {@code fields} fields. */
        private static Optional<String[]> entry(String database, String key, int fields) {
            List<String> lines;
            try {
                lines = getent(database, key);
            } catch (IOException e) {
                lines = fromFile(database, key);
            }
            return lines.stream().map(line -> line.split(":", -1)).filter(f -> f.length >= fields)
                    .filter(f -> f[0].equals(key) || f[2].equals(key)).filter(f -> f[2].matches("[0-9]+")
                            && (fields < 4 || f[3].matches("[0-9]+"))).findFirst();
        }

        private static List<String> getent(String database, String key) throws IOException {
            Process getent = new ProcessBuilder("getent", database, key).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                getent.getOutputStream().close();
                String out = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!getent.waitFor(GETENT_SECONDS, TimeUnit.SECONDS)) {
                    getent.destroyForcibly();
                    throw new IOException("getent " + database + " " + key + " did not answer within " + GETENT_SECONDS + " s");
                }
                return out.lines().toList();   // exit 2: no such entry, no lines
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                getent.destroyForcibly();
                throw new IOException("interrupted while asking getent", e);
            }
        }

        private static List<String> fromFile(String database, String key) {
            try {
                return Files.readAllLines(Path.of("/etc/" + database), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return List.of();
            }
        }
    }
}
