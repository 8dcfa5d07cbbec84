package dev.regolith.hooks.spi;

/**
 * The version of this SPI, and how a hook jar declares the version it was built against.
 *
 * <p>A plugin jar loaded from the engine's hooks directory ({@code hooks.dir}) must carry the
 * main manifest attribute {@value #MANIFEST_ATTRIBUTE} with the SPI version it was compiled
 * against, for example {@code Regolith-Hooks-SPI-Version: 1.0}. The engine loads it when the major
 * versions are equal and the jar's minor version is at most the engine's: minor versions only add
 * (default methods, new event types, new record components are never removed), a major version
 * may remove or change. A jar that declares no version or an incompatible one is refused at load,
 * before any of its classes is loaded, with a message naming the jar and both versions.
 */
public final class HooksSpi {

    /** The version of the SPI in this jar: {@code major.minor}. */
    public static final String VERSION = "1.0";

    /** The jar manifest attribute that declares the SPI version a hook jar was built against. */
    public static final String MANIFEST_ATTRIBUTE = "Regolith-Hooks-SPI-Version";

    private HooksSpi() {
    }
}
