package dev.corral.pool;

import java.util.List;

/** One HTTP header field, as it travels between client, Corral and app. */
public record HttpHeader(String name, String value) {

    /** The value of the first of {@code headers} named {@code name} (in any case), or null. */
    public static String first(List<HttpHeader> headers, String name) {
        for (HttpHeader header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }
}
