package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged manifest file fails the open with an error that names the file, offset and problem. */
class ManifestCorruptionTest {

    @TempDir
    Path dir;

    private Path manifestDir;

    @BeforeEach
    void writeManifest() {
        manifestDir = dir.resolve("manifest");
        // Checkpoint at 3, deltas 4 and 5 after it.
        ManifestCommitter committer = ManifestCommitter.create(new LocalFileIO(), manifestDir, metadata(REGION),
                RegionHooks.none(), new ManifestOptions(3));
        for (int i = 0; i < 4; i++) {
            committer.commit(addFile(REGION));
        }
    }

    private CorruptedFileException openFails() {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> ManifestCommitter.read(new LocalFileIO(), manifestDir, REGION));
        assertThat(thrown).isInstanceOf(CorruptedFileException.class);
        return (CorruptedFileException) thrown;
    }

    private void flipByte(String name, int offsetFromEnd) throws Exception {
        Path file = manifestDir.resolve(name);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - offsetFromEnd] ^= 0x40;
        Files.write(file, bytes);
    }

    @Test
    void flippedByteInDeltaIsAChecksumMismatch() throws Exception {
        flipByte("00000000000000000005.delta", 10);

        CorruptedFileException e = openFails();

        Path delta = manifestDir.resolve("00000000000000000005.delta");
        assertThat(e.file()).isEqualTo(delta.toString());
        assertThat(e.offset()).isEqualTo(Files.size(delta) - 4);
        assertThat(e).hasMessageMatching("Corrupted file .*00000000000000000005\\.delta at offset \\d+: "
                + "checksum mismatch: stored CRC32C 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}");
    }

    @Test
    void truncatedDeltaSaysSo() throws Exception {
        Path delta = manifestDir.resolve("00000000000000000004.delta");
        byte[] bytes = Files.readAllBytes(delta);
        Files.write(delta, Arrays.copyOf(bytes, bytes.length - 7));

        CorruptedFileException e = openFails();

        assertThat(e.offset()).isEqualTo(8);
        assertThat(e).hasMessageEndingWith("says the file has " + bytes.length + " bytes, but it has " + (bytes.length - 7)
                + " (truncated)");
    }

    @Test
    void foreignFileNamedLikeADeltaHasBadMagic() throws Exception {
        Files.writeString(manifestDir.resolve("00000000000000000006.delta"), "not a manifest file at all");

        CorruptedFileException e = openFails();

        assertThat(e.offset()).isZero();
        assertThat(e).hasMessageContaining("00000000000000000006.delta at offset 0: bad magic 0x6e6f7420");
    }

    @Test
    void deltaUnderTheWrongNameIsDetected() throws Exception {
        Files.copy(manifestDir.resolve("00000000000000000004.delta"), manifestDir.resolve("00000000000000000006.delta"));

        assertThat(openFails()).hasMessageEndingWith("holds version 4 of region 1024_0000000001, expected version 6 of "
                + "region 1024_0000000001");
    }

    @Test
    void validFrameWithGarbagePayloadIsNotAProtobufMessage() throws Exception {
        byte[] garbage = ManifestFileFormat.encode(ManifestFileFormat.Kind.DELTA, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
        Files.write(manifestDir.resolve("00000000000000000006.delta"), garbage);

        assertThat(openFails()).hasMessageContaining("00000000000000000006.delta at offset 12: payload is not a valid "
                + "protobuf message");
    }

    @Test
    void flippedByteInCheckpointDoesNotMatchThePointer() throws Exception {
        flipByte("00000000000000000003.checkpoint", 20);

        CorruptedFileException e = openFails();

        assertThat(e.file()).endsWith("00000000000000000003.checkpoint");
        assertThat(e).hasMessageMatching(".* at offset 0: CRC32C 0x[0-9a-f]{8} does not match 0x[0-9a-f]{8} recorded "
                + "in _last_checkpoint");
    }

    @Test
    void truncatedCheckpointHasTheWrongSize() throws Exception {
        Path checkpoint = manifestDir.resolve("00000000000000000003.checkpoint");
        byte[] bytes = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, Arrays.copyOf(bytes, 30));

        assertThat(openFails()).hasMessageEndingWith("size 30 bytes, but _last_checkpoint records " + bytes.length);
    }

    @Test
    void flippedByteInPointerIsAChecksumMismatch() throws Exception {
        flipByte("_last_checkpoint", 6);

        CorruptedFileException e = openFails();

        assertThat(e.file()).endsWith("_last_checkpoint");
        assertThat(e).hasMessageContaining("checksum mismatch");
    }

    @Test
    void pointerToMissingCheckpointNamesIt() throws Exception {
        Files.delete(manifestDir.resolve("00000000000000000003.checkpoint"));

        CorruptedFileException e = openFails();

        assertThat(e.file()).endsWith("00000000000000000003.checkpoint");
        assertThat(e).hasMessageContaining("named by _last_checkpoint but missing (still missing after 5 attempts");
    }

    @Test
    void pointerReadAsADeltaIsTheWrongKind() throws Exception {
        Files.copy(manifestDir.resolve("_last_checkpoint"), manifestDir.resolve("00000000000000000006.delta"));

        assertThat(openFails()).hasMessageContaining("at offset 5: file kind 3 where a delta (kind 1) was expected");
    }
}
