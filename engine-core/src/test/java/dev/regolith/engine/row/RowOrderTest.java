package dev.regolith.engine.row;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowOrderTest {

    @Test
    void stringsSortLikeTheirUtf8Bytes() {
        String supplementary = new String(Character.toChars(0x1F600)); // above U+FFFF: a surrogate pair
        String privateUse = "\uE000";

        // UTF-16 puts the surrogate pair first; code point (and UTF-8, and Parquet statistics) order does not.
        assertThat(supplementary.compareTo(privateUse)).isNegative();
        assertThat(RowOrder.compareValues(supplementary, privateUse)).isPositive();
        assertThat(RowOrder.compareValues("a", "ab")).isNegative();
        assertThat(RowOrder.compareValues(null, "a")).isNegative();
    }

    @Test
    void agreesWithUtf8ByteOrderOnRandomStrings() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("RowOrderTest seed=" + seed);
        Random random = new Random(seed);
        int[] pool = {'a', 'z', 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
        for (int i = 0; i < 2000; i++) {
            String left = randomString(random, pool);
            String right = randomString(random, pool);
            int expected = Integer.signum(Arrays.compareUnsigned(left.getBytes(StandardCharsets.UTF_8),
                    right.getBytes(StandardCharsets.UTF_8)));
            assertThat(Integer.signum(RowOrder.compareValues(left, right))).as("seed %d: %s vs %s", seed,
                    Arrays.toString(left.codePoints().toArray()), Arrays.toString(right.codePoints().toArray())).isEqualTo(expected);
        }
    }

    private static String randomString(Random random, int[] pool) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(4); i >= 0; i--) {
            text.appendCodePoint(pool[random.nextInt(pool.length)]);
        }
        return text.toString();
    }
}
