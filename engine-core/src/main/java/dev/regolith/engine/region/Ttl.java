package dev.regolith.engine.region;

import dev.regolith.engine.api.RegionMetadata;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The region option {@code ttl}: how long rows are kept, as {@code 30s}, {@code 15m}, {@code 12h},
 * {@code 7d}, {@code 2w} or an ISO-8601 duration ({@code PT36H}). Files whose newest row is older
 * than that are removed whole.
 */
final class Ttl {

    static final String OPTION = "ttl";

    private Ttl() {
    }

    static Optional<Duration> of(RegionMetadata metadata) {
        String text = metadata.options().get(OPTION);
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(parse(text.trim(), metadata));
    }

    static Duration parse(String text, RegionMetadata metadata) {
        try {
            String lower = text.toLowerCase(Locale.ROOT);
            char unit = lower.charAt(lower.length() - 1);
            if (Character.isDigit(lower.charAt(0)) && "smhdw".indexOf(unit) >= 0) {
                long amount = Long.parseLong(lower.substring(0, lower.length() - 1));
                Duration duration = switch (unit) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    case 'd' -> Duration.ofDays(amount);
                    default -> Duration.ofDays(7 * amount);
                };
                if (!duration.isNegative() && !duration.isZero()) {
                    return duration;
                }
            }
            else {
                Duration duration = Duration.parse(text);
                if (!duration.isNegative() && !duration.isZero()) {
                    return duration;
                }
            }
        }
        catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("Invalid option ttl=" + text + " of region " + metadata.regionId()
                + ": expected a positive duration like 30s, 15m, 12h, 7d, 2w or PT36H");
    }

    /** The oldest time index value kept at {@code nowMillis}, in the time index's unit. */
    static long cutoff(RegionMetadata metadata, long nowMillis, Duration ttl) {
        long cutoffMillis = nowMillis - Math.min(ttl.toMillis(), nowMillis);
        return switch (metadata.timeIndex().dataType()) {
            case TIMESTAMP_MILLIS -> cutoffMillis;
            case TIMESTAMP_MICROS -> Math.multiplyExact(cutoffMillis, 1_000L);
            case TIMESTAMP_NANOS -> Math.multiplyExact(cutoffMillis, 1_000_000L);
            default -> throw new AssertionError("the time index is a timestamp type");
        };
    }
}
