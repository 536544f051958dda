/**
 * The Spring Boot starter: {@link dev.parley.spring.boot.ParleyAutoConfiguration} and its
 * {@code parley.*} {@link dev.parley.spring.boot.ParleyProperties}.
 *
 * <h2>Threading</h2>
 * Beans are made on Spring's startup thread. The chat server then runs on the embedded
 * container's threads as the JSR-356 adapter describes ({@code dev.parley.server.jakarta});
 * the health indicator waits for the back ends' checks (at most {@code parley.health.timeout})
 * on the thread that asks Actuator.
 */
package dev.parley.spring.boot;
