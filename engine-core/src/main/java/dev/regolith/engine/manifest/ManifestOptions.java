package dev.regolith.engine.manifest;

/**
 * How a region's manifest is kept.
 *
 * @param checkpointDistance a checkpoint is written once the version is this far past the last one
 * @param maxRetainedDeltas at most this many versions behind the head are kept for hooks that have
 *     not been delivered them yet
 */
public record ManifestOptions(int checkpointDistance, int maxRetainedDeltas) {

    public static final ManifestOptions DEFAULT = new ManifestOptions(10, 10_000);

    public ManifestOptions {
        if (checkpointDistance < 1) {
            throw new IllegalArgumentException("Invalid manifest checkpoint distance: " + checkpointDistance + " (must be >= 1)");
        }
        if (maxRetainedDeltas < 1) {
            throw new IllegalArgumentException("Invalid number of retained manifest deltas: " + maxRetainedDeltas
                    + " (must be >= 1)");
        }
    }

    /** Checkpoints every {@code checkpointDistance} versions, default retention. */
    public ManifestOptions(int checkpointDistance) {
        this(checkpointDistance, DEFAULT_RETAINED_DELTAS);
    }

    private static final int DEFAULT_RETAINED_DELTAS = 10_000;
}
