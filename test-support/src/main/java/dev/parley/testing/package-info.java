/**
 * What Parley's own tests share: contract suites that every implementation of an SPI must pass,
 * real back ends (PostgreSQL, Redis) started on free ports in temporary folders, and test
 * clients. Test code: it may block, and it fails loudly.
 */
package dev.parley.testing;
