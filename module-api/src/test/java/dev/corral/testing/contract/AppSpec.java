package dev.corral.testing.contract;

import dev.corral.config.AppSettings;

/**
 * A test app declared in one expression, e.g. {@code wsgi("one").maxProcesses(1).maxQueue(2)}:
 * a thin builder over {@link AppSettings}, the public setting bag the containers read, so that
 * a contract test names only the settings it is about. Counts take an {@code int}; durations,
 * sizes and the rest take the text a user would write ({@code "1s"}, {@code "80MB"}), passed on
 * unchanged. Mutable, and used by one test thread.
 */
public final class AppSpec {
    private final AppSettings settings;

    AppSpec(AppSettings settings) {
        this.settings = settings;
    }

    /** The app's name, as the engine knows it. */
    public String name() {
        return settings.getName();
    }

    /** The settings as they stand. */
    public AppSettings settings() {
        return settings;
    }

    public AppSpec command(String command) {
        settings.setCommand(command);
        return this;
    }

    /** Environment variables as {@code NAME=value} pairs separated by spaces. */
    public AppSpec env(String env) {
        settings.setEnv(env);
        return this;
    }

    public AppSpec pathPrefix(String prefix) {
        settings.setPathPrefix(prefix);
        return this;
    }

    public AppSpec virtualHosts(String hosts) {
        settings.setVirtualHosts(hosts);
        return this;
    }

    public AppSpec staticDir(String dir) {
        settings.setStaticDir(dir);
        return this;
    }

    public AppSpec listen(String listen) {
        settings.setListen(listen);
        return this;
    }

    public AppSpec minProcesses(int n) {
        settings.setMinProcesses(Integer.toString(n));
        return this;
    }

    public AppSpec maxProcesses(int n) {
        settings.setMaxProcesses(Integer.toString(n));
        return this;
    }

    public AppSpec concurrency(int n) {
        settings.setConcurrency(Integer.toString(n));
        return this;
    }

    public AppSpec maxQueue(int n) {
        settings.setMaxQueue(Integer.toString(n));
        return this;
    }

    public AppSpec queueTimeout(String duration) {
        settings.setQueueTimeout(duration);
        return this;
    }

    public AppSpec spawnTimeout(String duration) {
        settings.setSpawnTimeout(duration);
        return this;
    }

    public AppSpec idleTimeout(String duration) {
        settings.setIdleTimeout(duration);
        return this;
    }

    public AppSpec maxRequests(int n) {
        settings.setMaxRequests(Integer.toString(n));
        return this;
    }

    public AppSpec maxMemory(String size) {
        settings.setMaxMemory(size);
        return this;
    }

    public AppSpec maxRequestBody(String size) {
        settings.setMaxRequestBody(size);
        return this;
    }

    public AppSpec clientBodyTimeout(String duration) {
        settings.setClientBodyTimeout(duration);
        return this;
    }

    public AppSpec bufferRequestBody(boolean buffer) {
        settings.setBufferRequestBody(Boolean.toString(buffer));
        return this;
    }

    public AppSpec maxRequestTime(String duration) {
        settings.setMaxRequestTime(duration);
        return this;
    }

    public AppSpec connectTimeout(String duration) {
        settings.setConnectTimeout(duration);
        return this;
    }

    public AppSpec responseTimeout(String duration) {
        settings.setResponseTimeout(duration);
        return this;
    }

    /** Corral's own error answers show the failure's details (the default shows status, reason and request id). */
    public AppSpec detailedErrors(boolean detailed) {
        settings.setDetailedErrors(Boolean.toString(detailed));
        return this;
    }

    /** Error pages as {@code status=path} pairs separated by spaces. */
    public AppSpec errorPages(String pages) {
        settings.setErrorPages(pages);
        return this;
    }

    public AppSpec upgradeIdleTimeout(String duration) {
        settings.setUpgradeIdleTimeout(duration);
        return this;
    }

    public AppSpec shutdownTimeout(String duration) {
        settings.setShutdownTimeout(duration);
        return this;
    }

    public AppSpec healthPath(String path) {
        settings.setHealthPath(path);
        return this;
    }

    public AppSpec healthInterval(String duration) {
        settings.setHealthInterval(duration);
        return this;
    }

    public AppSpec healthFastInterval(String duration) {
        settings.setHealthFastInterval(duration);
        return this;
    }

    public AppSpec healthDownInterval(String duration) {
        settings.setHealthDownInterval(duration);
        return this;
    }

    public AppSpec healthRise(int checks) {
        settings.setHealthRise(Integer.toString(checks));
        return this;
    }

    public AppSpec healthFall(int checks) {
        settings.setHealthFall(Integer.toString(checks));
        return this;
    }

    public AppSpec errorLimit(int errors) {
        settings.setErrorLimit(Integer.toString(errors));
        return this;
    }

    public AppSpec retries(int n) {
        settings.setRetries(Integer.toString(n));
        return this;
    }

    public AppSpec slowStart(String duration) {
        settings.setSlowStart(duration);
        return this;
    }

    public AppSpec stickySessions(boolean sticky) {
        settings.setStickySessions(Boolean.toString(sticky));
        return this;
    }

    /** A fault spec such as {@code "read-reset:1"}. */
    public AppSpec faults(String spec) {
        settings.setFaults(spec);
        return this;
    }

    public AppSpec faultSeed(long seed) {
        settings.setFaultSeed(Long.toString(seed));
        return this;
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
