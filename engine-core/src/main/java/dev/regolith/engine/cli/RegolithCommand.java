package dev.regolith.engine.cli;

import dev.regolith.engine.api.exceptions.RegolithException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code regolith} command: {@code demo}, {@code inspect} and {@code scan}. A mistake a user
 * can make prints one line and exits non-zero, without a stack trace.
 */
public final class RegolithCommand {

    static final String USAGE = """
            usage: regolith demo [--dir D] [--rows N] [--hosts H] [--hooks-dir H]
                   regolith inspect D [--json]
                   regolith scan D --region R [--start T] [--end T] [--where tag=value]... [--limit N]""";

    private RegolithCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs the command; returns the exit status (0 ok, 1 failed, 2 bad usage). */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            switch (args.get(0)) {
                case "demo" -> new DemoCommand(out, err).run(rest);
                case "inspect" -> new InspectCommand(out).run(rest);
                case "scan" -> new ScanCommand(out, err).run(rest);
                default -> throw new UsageException("unknown command '" + args.get(0) + "'");
            }
            return 0;
        }
        catch (UsageException e) {
            err.println("regolith: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        catch (RegolithException | IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println("regolith: " + e.getMessage());
            return 1;
        }
    }
}
