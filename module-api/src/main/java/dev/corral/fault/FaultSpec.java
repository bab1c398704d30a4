package dev.corral.fault;

import dev.corral.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Which faults to inject and how often: {@code connect:0.02,spawn:0.1,read-reset:0.01,latency:0.05@200ms,kill:0.001}
 * — each fault point with a probability in 0..1, and a duration for {@code latency}. Immutable.
 */
public record FaultSpec(Map<FaultPoint, Double> probabilities, Duration latency) {
    public static final FaultSpec NONE = new FaultSpec(Map.of(), Duration.ZERO);
    public static final String ALLOWED = "point:probability pairs separated by commas, such as "
            + "connect:0.02,spawn:0.1,latency:0.05@200ms, with points "
            + String.join(", ", Arrays.stream(FaultPoint.values()).map(FaultPoint::specName).toList())
            + " and probabilities 0..1";

    public FaultSpec {
        Map<FaultPoint, Double> copy = new EnumMap<>(FaultPoint.class);
        copy.putAll(probabilities);
        probabilities = Collections.unmodifiableMap(copy);
    }

    /**
     * Parses a spec; an empty or blank one is {@link #NONE}.
     *
     * @throws IllegalArgumentException naming every bad part
     */
    public static FaultSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        Map<FaultPoint, Double> probabilities = new EnumMap<>(FaultPoint.class);
        Duration latency = Duration.ZERO;
        List<String> bad = new ArrayList<>();
        for (String part : spec.split(",")) {
            String item = part.trim();
            int colon = item.indexOf(':');
            FaultPoint point = colon < 0 ? null : FaultPoint.bySpecName(item.substring(0, colon).trim()).orElse(null);
            if (point == null) {
                bad.add("[" + item + "] (unknown fault point)");
                continue;
            }
            String value = item.substring(colon + 1).trim();
            int at = value.indexOf('@');
            if ((at >= 0) != (point == FaultPoint.LATENCY)) {
                bad.add("[" + item + "] (" + (point == FaultPoint.LATENCY ? "latency needs @duration, e.g. latency:0.05@200ms"
                        : "only latency takes @duration") + ")");
                continue;
            }
            try {
                double p = Double.parseDouble(at >= 0 ? value.substring(0, at) : value);
                if (!(p >= 0 && p <= 1)) {
                    throw new NumberFormatException();
                }
                if (at >= 0) {
                    List<dev.corral.config.ConfigException.Problem> problems = new ArrayList<>();
                    Duration d = Durations.parse("faults", value.substring(at + 1), problems);
                    if (d == null) {
                        bad.add("[" + item + "] (bad duration)");
                        continue;
                    }
                    latency = d;
                }
                probabilities.put(point, p);
            } catch (NumberFormatException e) {
                bad.add("[" + item + "] (probability must be a number 0..1)");
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("bad fault spec part " + String.join(", ", bad));
        }
        return new FaultSpec(probabilities, latency);
    }

    public boolean isNone() {
        return probabilities.values().stream().allMatch(p -> p == 0);
    }

    public double probability(FaultPoint point) {
        Double p = probabilities.get(point);   // getOrDefault(point, 0.0) boxed a Double on every call
        return p == null ? 0 : p;
    }

    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(",");
        probabilities.forEach((point, p) -> s.add(point.specName() + ":" + p
                + (point == FaultPoint.LATENCY ? "@" + Durations.format(latency) : "")));
        return s.toString();
    }
}
