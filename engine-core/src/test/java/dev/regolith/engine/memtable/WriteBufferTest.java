package dev.regolith.engine.memtable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.exceptions.WriteRejectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteBufferTest {

    private final AtomicInteger flushRequests = new AtomicInteger();

    @Test
    void belowHalfNothingHappens() {
        WriteBuffer buffer = new WriteBuffer(1000, Duration.ofSeconds(1), flushRequests::incrementAndGet);
        buffer.allocated(499);

        buffer.admit();

        assertThat(flushRequests).hasValue(0);
    }

    @Test
    void pastHalfTheLargestRegionIsFlushed() {
        WriteBuffer buffer = new WriteBuffer(1000, Duration.ofSeconds(1), flushRequests::incrementAndGet);
        buffer.allocated(500);

        buffer.admit();

        assertThat(flushRequests).hasValue(1);
    }

    @Test
    void atTwiceTheLimitWritesAreRejectedWithTheReason() {
        WriteBuffer buffer = new WriteBuffer(1000, Duration.ofSeconds(1), flushRequests::incrementAndGet);
        buffer.allocated(2000);

        assertThatThrownBy(buffer::admit)
                .isInstanceOf(WriteRejectedException.class)
                .hasMessage("Write rejected: memtables hold 2000 bytes, twice the write buffer of 1000 bytes "
                        + "(write.buffer.bytes); flushes are not keeping up, retry later");
    }

    @Test
    void atTheLimitWritersStallUntilMemoryIsFreed() throws Exception {
        WriteBuffer buffer = new WriteBuffer(1000, Duration.ofSeconds(30), flushRequests::incrementAndGet);
        buffer.allocated(1200);

        CompletableFuture<Void> writer = CompletableFuture.runAsync(buffer::admit);
        assertThat(writer).isNotDone();
        buffer.released(300);

        writer.get(10, TimeUnit.SECONDS);
        assertThat(flushRequests.get()).isPositive();
    }

    @Test
    void aStallThatLastsTooLongIsRejected() {
        WriteBuffer buffer = new WriteBuffer(1000, Duration.ofMillis(50), flushRequests::incrementAndGet);
        buffer.allocated(1000);

        assertThatThrownBy(buffer::admit)
                .isInstanceOf(WriteRejectedException.class)
                .hasMessageStartingWith("Write rejected: stalled 50 ms waiting for flushes");
    }
}
