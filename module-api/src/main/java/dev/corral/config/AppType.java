package dev.corral.config;

import java.util.Locale;

/**
 * How Corral starts an app and what {@link AppConfig#entryPoint()} means for it.
 * Spelled in lower case in configuration ({@code wsgi}, {@code node}, {@code generic}).
 */
public enum AppType {
    /** A Python WSGI app; the entry point is {@code module:callable}. */
    WSGI,
    /** A Node.js app; the entry point is a script path relative to the app root. */
    NODE,
    /** Any server started by {@link AppConfig#command()}; there is no entry point. */
    GENERIC;

    /** The spelling used in configuration, e.g. {@code wsgi}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
