package dev.corral.examples.dashboard;

import dev.corral.config.JsonText;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * The little JSON writing the dashboard needs, to keep the WAR free of a JSON library: null,
 * strings, booleans, numbers (a non-finite double becomes null), instants (as ISO-8601 text), maps
 * with string keys in their order, collections, and records (an object of their components, which
 * is how Corral's snapshots and events are written). Compact, one line.
 */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String || value instanceof Character || value instanceof Instant
                || value instanceof Enum<?>) {
            JsonText.quote(value.toString(), out);
        } else if (value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            out.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                JsonText.quote(String.valueOf(entry.getKey()), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof Collection<?> collection) {
            out.append('[');
            boolean first = true;
            for (Object element : collection) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(element, out);
            }
            out.append(']');
        } else if (value instanceof Record record) {
            out.append('{');
            boolean first = true;
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                JsonText.quote(component.getName(), out);
                out.append(':');
                try {
                    write(component.getAccessor().invoke(record), out);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + component + " of " + record.getClass(), e);
                }
            }
            out.append('}');
        } else {
            JsonText.quote(value.toString(), out);
        }
    }
}
