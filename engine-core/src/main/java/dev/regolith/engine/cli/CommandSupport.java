package dev.regolith.engine.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Small pieces the commands share. */
final class CommandSupport {

    private CommandSupport() {
    }

    static Path existingDirectory(String text) {
        Path directory = Path.of(text).toAbsolutePath().normalize();
        if (!Files.isDirectory(directory)) {
            throw new UsageException("no such directory: " + directory);
        }
        return directory;
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    static String csv(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : value.toString();
        if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
            return "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }
}
