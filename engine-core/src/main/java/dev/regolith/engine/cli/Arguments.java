package dev.regolith.engine.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and positional arguments, checked against what a command accepts. */
final class Arguments {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    Arguments(List<String> args, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                if (flags.contains(arg)) {
                    options.computeIfAbsent(arg, key -> new ArrayList<>()).add("true");
                }
                else if (valued.contains(arg)) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("option " + arg + " needs a value");
                    }
                    options.computeIfAbsent(arg, key -> new ArrayList<>()).add(args.get(++i));
                }
                else {
                    throw new UsageException("unknown option " + arg);
                }
            }
            else {
                positional.add(arg);
            }
        }
    }

    List<String> positional() {
        return positional;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    String value(String name, String defaultValue) {
        List<String> values = options.get(name);
        return values == null ? defaultValue : values.get(values.size() - 1);
    }

    List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    long number(String name, long defaultValue, long min) {
        String text = value(name, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(text.replace("_", ""));
            if (value < min) {
                throw new UsageException("option " + name + " must be at least " + min + ", got " + text);
            }
            return value;
        }
        catch (NumberFormatException e) {
            throw new UsageException("option " + name + " takes a whole number, got '" + text + "'");
        }
    }
}
