package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/**
 * Identifies an SST file within a region; the file is named after it.
 *
 * @param uuid the random id
 */
public record FileId(UUID uuid) implements Comparable<FileId> {

    public FileId {
        requireNonNull(uuid, "uuid is null");
    }

    /** A new, random file id. */
    public static FileId random() {
        return new FileId(UUID.randomUUID());
    }

    /**
     * Parses the text form produced by {@link #toString()}.
     *
     * @throws IllegalArgumentException if {@code text} is not a UUID
     */
    public static FileId parse(String text) {
        try {
            return new FileId(UUID.fromString(text));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid file id '" + text + "': expected a UUID", e);
        }
    }

    @Override
    public int compareTo(FileId other) {
        return uuid.compareTo(other.uuid);
    }

    @Override
    public String toString() {
        return uuid.toString();
    }
}
