package dev.regolith.engine.api;

/**
 * Identifies a region: one shard of one table.
 *
 * <p>The table id occupies the high 32 bits and the region number the low 32 bits of a single
 * {@code long}, both read as unsigned. The text form, {@code {table_id}_{region_number:010}}
 * (for example {@code 1024_0000000001}), is also the name of the region's directory.
 *
 * @param id the packed table id and region number
 */
public record RegionId(long id) implements Comparable<RegionId> {

    /** Builds the id of region {@code regionNumber} of table {@code tableId}. */
    public static RegionId of(int tableId, int regionNumber) {
        return new RegionId(((long) tableId << 32) | Integer.toUnsignedLong(regionNumber));
    }

    /**
     * Parses the text form produced by {@link #toString()}.
     *
     * @throws IllegalArgumentException if {@code text} is not {@code {table_id}_{region_number}}
     *     with both parts unsigned 32-bit numbers written in ASCII digits (no sign)
     */
    public static RegionId parse(String text) {
        int underscore = text.indexOf('_');
        if (underscore <= 0 || underscore == text.length() - 1) {
            throw new IllegalArgumentException(
                    "Invalid region id '" + text + "': expected {table_id}_{region_number}, e.g. 1024_0000000001");
        }
        // Integer.parseUnsignedInt also takes a leading '+' and non-ASCII digits (Arabic-Indic, ...):
        // "+1024_1" would name region 1024_0000000001 too, so two directories could alias one region.
        if (!isAsciiDigits(text, 0, underscore) || !isAsciiDigits(text, underscore + 1, text.length())) {
            throw new IllegalArgumentException(
                    "Invalid region id '" + text + "': table id and region number must be unsigned 32-bit numbers");
        }
        try {
            int tableId = Integer.parseUnsignedInt(text.substring(0, underscore));
            int regionNumber = Integer.parseUnsignedInt(text.substring(underscore + 1));
            return of(tableId, regionNumber);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid region id '" + text + "': table id and region number must be unsigned 32-bit numbers", e);
        }
    }

    private static boolean isAsciiDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The table id, an unsigned 32-bit number held in an {@code int}. */
    public int tableId() {
        return (int) (id >>> 32);
    }

    /** The region number within the table, an unsigned 32-bit number held in an {@code int}. */
    public int regionNumber() {
        return (int) id;
    }

    @Override
    public int compareTo(RegionId other) {
        return Long.compareUnsigned(id, other.id);
    }

    @Override
    public String toString() {
        String number = Integer.toUnsignedString(regionNumber());
        return Integer.toUnsignedString(tableId()) + "_" + "0".repeat(Math.max(0, 10 - number.length())) + number;
    }
}
