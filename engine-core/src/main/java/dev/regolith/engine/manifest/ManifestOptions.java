package dev.regolith.engine.manifest;

/**
 * How a region's manifest is kept.
 *
 * @param checkpointDistance a checkpoint is written once the version is this far past the last one
 */
public record ManifestOptions(int checkpointDistance) {

    public static final ManifestOptions DEFAULT = new ManifestOptions(10);

    public ManifestOptions {
        if (checkpointDistance < 1) {
            throw new IllegalArgumentException("Invalid manifest checkpoint distance: " + checkpointDistance + " (must be >= 1)");
        }
    }
}
