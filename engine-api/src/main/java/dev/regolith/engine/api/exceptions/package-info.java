/**
 * The unchecked exceptions the engine throws. Each message names what is wrong: the region, the
 * file and offset, the manifest version or the hook.
 */
package dev.regolith.engine.api.exceptions;
