package dev.corral.pool;

/** One HTTP header field, as it travels between client, Corral and app. */
public record HttpHeader(String name, String value) {
}
