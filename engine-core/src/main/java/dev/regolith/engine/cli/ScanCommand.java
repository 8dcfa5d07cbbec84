package dev.regolith.engine.cli;

import dev.regolith.engine.RegolithEngine;
import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.hook.RegionHooks;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code regolith scan D --region R [--start T] [--end T] [--where tag=value]... [--limit N]}: rows
 * as CSV on standard output, the count on standard error. Opens the engine, so rows still only in
 * the WAL are included. No hooks are loaded.
 */
final class ScanCommand {

    private final PrintStream out;
    private final PrintStream err;

    ScanCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    void run(List<String> args) {
        Arguments arguments = new Arguments(args, Set.of("--region", "--start", "--end", "--where", "--limit"), Set.of());
        if (arguments.positional().size() != 1) {
            throw new UsageException("scan takes one data directory");
        }
        Path directory = CommandSupport.existingDirectory(arguments.positional().get(0));
        String regionText = arguments.value("--region", null);
        if (regionText == null) {
            throw new UsageException("scan needs --region, one of " + InspectCommand.regions(directory));
        }
        RegionId id;
        try {
            id = RegionId.parse(regionText);
        }
        catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (!InspectCommand.regions(directory).contains(id)) {
            throw new UsageException("region " + id + " not found in " + directory + "; regions: "
                    + InspectCommand.regions(directory));
        }
        try (RegolithEngine engine = RegolithEngine.open(EngineOptions.of(directory), RegionHooks.none())) {
            engine.openRegion(id);
            RegionMetadata metadata = engine.manifest(id).metadata();
            ScanRequest request = ScanRequest.all().withLimit(arguments.number("--limit", Long.MAX_VALUE, 0));
            long start = time(arguments.value("--start", null), Long.MIN_VALUE, "--start");
            long end = time(arguments.value("--end", null), Long.MAX_VALUE, "--end");
            if (start > end) {
                throw new UsageException("--start " + start + " is after --end " + end);
            }
            if (start != Long.MIN_VALUE || end != Long.MAX_VALUE) {
                request = request.withTimeRange(new TimeRange(start, end));
            }
            for (String where : arguments.values("--where")) {
                int equals = where.indexOf('=');
                if (equals <= 0) {
                    throw new UsageException("--where takes tag=value, got '" + where + "'");
                }
                String tag = where.substring(0, equals);
                ColumnSchema column = metadata.columns().stream()
                        .filter(candidate -> candidate.name().equals(tag) && candidate.semanticType() == SemanticType.TAG)
                        .findFirst()
                        .orElseThrow(() -> new UsageException("--where: " + tag + " is not a tag column of region " + id
                                + "; tags: " + metadata.primaryKey().stream().map(ColumnSchema::name).toList()));
                request = request.withTagEquals(tag, parse(column, where.substring(equals + 1)));
            }
            long count = 0;
            try (RegionScanner scanner = engine.scan(id, request)) {
                out.println(String.join(",", scanner.columns()));
                while (scanner.hasNext()) {
                    out.println(scanner.next().stream().map(CommandSupport::csv).collect(Collectors.joining(",")));
                    count++;
                }
            }
            out.flush();
            err.println(count + " rows");
        }
    }

    private static long time(String text, long defaultValue, String option) {
        if (text == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            }
            catch (DateTimeParseException notInstant) {
                throw new UsageException(option + " takes epoch milliseconds or an ISO instant like 2023-11-14T22:13:20Z, got '"
                        + text + "'");
            }
        }
    }

    private static Object parse(ColumnSchema column, String text) {
        try {
            return switch (column.dataType()) {
                case STRING -> text;
                case BOOLEAN -> Boolean.parseBoolean(text);
                case INT32 -> Integer.parseInt(text);
                case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> Long.parseLong(text);
                case FLOAT32 -> Float.parseFloat(text);
                case FLOAT64 -> Double.parseDouble(text);
                case BINARY -> java.util.HexFormat.of().parseHex(text);
            };
        }
        catch (IllegalArgumentException e) {
            throw new UsageException("--where " + column.name() + ": '" + text + "' is not a " + column.dataType());
        }
    }
}
