package dev.corral.config;

import java.util.Locale;

/**
 * Where an app process listens for Corral's requests.
 * Spelled in lower case in configuration ({@code unix}, {@code tcp}).
 */
public enum Listen {
    /** A Unix domain socket, passed to the app in {@code CORRAL_SOCKET}. */
    UNIX,
    /** A loopback TCP port, passed to the app in {@code PORT}. */
    TCP;

    /** The spelling used in configuration, e.g. {@code unix}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
