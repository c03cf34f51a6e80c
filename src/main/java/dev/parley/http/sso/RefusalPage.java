package dev.parley.http.sso;

import dev.parley.common.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** A refused sign-in, for a person in a browser: a short page with the reason and a way back to the admin. */
final class RefusalPage {

  private RefusalPage() {
  }

  static boolean wanted(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    return accept != null && accept.contains("text/html");
  }

  static void send(RoutingContext ctx, ParleyException refusal) {
    String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in refused</title></head>"
        + "<body><h1>Sign-in refused</h1><p>" + escape(refusal.getMessage()) + "</p><p><code>"
        + escape(refusal.code()) + "</code></p><p><a href=\"/admin/\">Back to Parley</a></p></body></html>";
    end(ctx.response().setStatusCode(refusal.status())
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", "default-src 'none'"), html);
  }

  /** Ends {@code response} with {@code text} and its Content-Length, which a HEAD (answered as GET) keeps. */
  static void end(HttpServerResponse response, String text) {
    Buffer body = Buffer.buffer(text);
    response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length())).end(body);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
