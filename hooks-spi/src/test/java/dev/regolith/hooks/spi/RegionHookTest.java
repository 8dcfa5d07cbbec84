package dev.regolith.hooks.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionHookTest {

    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final RegionMetadata METADATA = new RegionMetadata(REGION,
            List.of(ColumnSchema.tag("host", 1, DataType.STRING), ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_MILLIS)));

    /** A hook that overrides nothing: everything it does comes from the interface's defaults. */
    static final class BareHook implements RegionHook {
    }

    /** A context whose every accessor fails the test: the default {@code init} must not need it. */
    private record UntouchableContext() implements HookContext {
        @Override
        public String hookName() {
            throw new AssertionError("default init read hookName()");
        }

        @Override
        public Map<String, String> options() {
            throw new AssertionError("default init read options()");
        }

        @Override
        public SstFiles sstFiles() {
            throw new AssertionError("default init read sstFiles()");
        }
    }

    @Test
    void defaultNameIsTheImplementingClassName() {
        assertThat(new BareHook().name()).isEqualTo("dev.regolith.hooks.spi.RegionHookTest$BareHook");
    }

    @Test
    void defaultNameFollowsTheRuntimeClassNotTheDeclaringOne() {
        RegionHook anonymous = new RegionHook() {
        };

        assertThat(anonymous.name()).isEqualTo(anonymous.getClass().getName()).isNotEqualTo(RegionHook.class.getName());
    }

    @Test
    void defaultPriorityIsZero() {
        assertThat(new BareHook().priority()).isZero();
    }

    @Test
    void defaultCallbacksAndCloseDoNothing() {
        RegionHook hook = new BareHook();
        ManifestUpdatedEvent updated = new ManifestUpdatedEvent(REGION,
                ManifestActionList.of(new ManifestAction.Change(METADATA)), 1, 1);
        SstFilesWrittenEvent written = new SstFilesWrittenEvent(REGION, METADATA, SstFilesWrittenEvent.Reason.FLUSH, List.of());

        assertThatCode(() -> {
            hook.init(new UntouchableContext());
            hook.onSstFilesWritten(written);
            hook.onManifestUpdated(updated);
            hook.close();
            hook.close();
        }).doesNotThrowAnyException();
    }

    @Test
    void closeDeclaresNoCheckedException() throws NoSuchMethodException {
        assertThat(RegionHook.class.getMethod("close").getExceptionTypes()).isEmpty();
    }
}
