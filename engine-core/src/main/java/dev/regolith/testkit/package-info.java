/**
 * A test kit for hook authors: {@link dev.regolith.testkit.HookTestKit} runs a real region in a
 * directory of a JUnit test with one hook installed, drives it through every operation that fires
 * hooks, records what the hook was delivered, re-delivers it to check idempotency, and simulates a
 * crash between commit and delivery. Add {@code dev.regolith:engine-core} in test scope to use it.
 */
package dev.regolith.testkit;
