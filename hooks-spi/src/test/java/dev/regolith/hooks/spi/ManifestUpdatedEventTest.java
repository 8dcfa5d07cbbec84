package dev.regolith.hooks.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ManifestAction.TruncateAll;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import org.junit.jupiter.api.Test;

class ManifestUpdatedEventTest {

    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final ManifestActionList ACTIONS = ManifestActionList.of(new TruncateAll(5, 6));

    @Test
    void idempotencyKeyIsRegionAtManifestVersion() {
        assertThat(new ManifestUpdatedEvent(REGION, ACTIONS, 7, 7).idempotencyKey()).isEqualTo("1024_0000000001@7");
    }

    @Test
    void idempotencyKeyOfAMergedEventUsesItsLastVersion() {
        assertThat(new ManifestUpdatedEvent(REGION, ACTIONS, 5, 7).idempotencyKey()).isEqualTo("1024_0000000001@7");
    }

    @Test
    void idempotencyKeyDiffersByRegionAndVersion() {
        String key = new ManifestUpdatedEvent(REGION, ACTIONS, 7, 7).idempotencyKey();

        assertThat(new ManifestUpdatedEvent(REGION, ACTIONS, 8, 8).idempotencyKey()).isNotEqualTo(key);
        assertThat(new ManifestUpdatedEvent(RegionId.of(1024, 2), ACTIONS, 7, 7).idempotencyKey()).isNotEqualTo(key);
    }

    @Test
    void firstVersionBelowOneIsRejected() {
        assertThatThrownBy(() -> new ManifestUpdatedEvent(REGION, ACTIONS, 0, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid version range for region 1024_0000000001: 0 to 7");
    }

    @Test
    void firstVersionAfterManifestVersionIsRejected() {
        assertThatThrownBy(() -> new ManifestUpdatedEvent(REGION, ACTIONS, 8, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid version range for region 1024_0000000001: 8 to 7");
    }

    @Test
    void firstVersionOneIsAccepted() {
        ManifestUpdatedEvent event = new ManifestUpdatedEvent(REGION, ACTIONS, 1, 1);

        assertThat(event.firstVersion()).isEqualTo(1);
        assertThat(event.manifestVersion()).isEqualTo(1);
    }

    @Test
    void missingActionsAreRejected() {
        assertThatThrownBy(() -> new ManifestUpdatedEvent(REGION, null, 1, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("actions is null");
    }
}
