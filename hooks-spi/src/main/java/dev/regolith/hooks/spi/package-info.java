/**
 * The region hook SPI: {@link dev.regolith.hooks.spi.RegionHook} and the immutable events it
 * receives. A hook jar compiles against this package (and {@code dev.regolith.engine.api}) only.
 */
package dev.regolith.hooks.spi;
