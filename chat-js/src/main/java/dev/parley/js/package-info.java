/**
 * {@code parley.js}, the browser client of wire protocol v1, shipped in a jar
 * ({@link dev.parley.js.ParleyJs}). Stateless: every method is safe on any thread.
 */
package dev.parley.js;
