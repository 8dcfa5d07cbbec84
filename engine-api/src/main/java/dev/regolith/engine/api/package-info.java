/**
 * Regolith's public engine types: region and file identities, schemas, file metadata, the
 * manifest action family and manifest state. Everything here is an immutable value validated on
 * construction, and the package depends on the JDK alone.
 */
package dev.regolith.engine.api;
