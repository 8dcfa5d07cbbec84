package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.RegionHooks;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link CrashRecoveryTest}: writes rows forever, printing {@code ACK n} once
 * every row below {@code n} is acknowledged, with flushes happening all the time, until it is killed.
 * Row {@code i} is host {@code h(i % 7)}, timestamp {@code i}, usage {@code i * 0.5}.
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        long next = Long.parseLong(args[1]);
        RegolithEngine engine = RegolithEngine.open(EngineOptions.of(directory)
                .with("region.memtable.bytes", "65536")
                .with("manifest.checkpoint.distance", "3"), RegionHooks.none());
        if (next == 0) {
            engine.createRegion(metadata(REGION));
        }
        else {
            engine.openRegion(REGION);
        }
        for (int batchNumber = 0; ; batchNumber++) {
            WriteBatch.Builder batch = WriteBatch.builder("hostname", "usage_user", "ts");
            for (int i = 0; i < 50; i++, next++) {
                batch.put("h" + next % 7, next * 0.5, next);
            }
            engine.write(REGION, batch.build());
            System.out.println("ACK " + next);
            System.out.flush();
            if (batchNumber % 10 == 9) { // by the earliest kill (1,000 rows) two flushes have committed
                engine.flush(REGION);
            }
        }
    }
}
