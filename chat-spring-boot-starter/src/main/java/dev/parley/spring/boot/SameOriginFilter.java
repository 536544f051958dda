package dev.parley.spring.boot;

import dev.parley.core.OriginPolicy;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers HTTP 403 to a WebSocket upgrade on the chat's path from a page of another origin than
 * the application's own ({@code Origin} against {@code Host}) and the allowed ones, before the
 * container upgrades: what Spring's own WebSocket support does by default. The endpoint applies
 * the same policy after the upgrade too (closing such a connection at once with 1008), for
 * containers whose upgrade filter runs before this one.
 */
final class SameOriginFilter extends OncePerRequestFilter {
  private static final Logger log = LoggerFactory.getLogger(SameOriginFilter.class);
  private final OriginPolicy origins;

  SameOriginFilter(OriginPolicy origins) {
    this.origins = origins;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    String origin = request.getHeader("Origin");
    if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
        && !origins.allows(origin, request.getHeader("Host"))) {
      log.info("refused a WebSocket handshake from origin {}", origin);
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
      return;
    }
    chain.doFilter(request, response);
  }
}
