package dev.parley.common;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * Where a server-wide API key may go. {@code OPENAI_API_KEY} belongs to the OpenAI base URL the server is
 * configured with ({@code OPENAI_BASE_URL}, else the vendor's), and likewise for Anthropic and for the
 * embeddings key: it is only ever sent to that URL's origin (scheme, host and port). A bot, or an embeddings
 * setting, with a base URL on another origin brings its own key.
 */
public final class KeyScope {

  /** The vendors' own base URLs, where their keys go when no base URL is configured. */
  public static final Map<String, String> VENDOR_BASE_URLS = Map.of(
      "openai", "https://api.openai.com/v1",
      "anthropic", "https://api.anthropic.com");

  private KeyScope() {
  }

  /** The base URL the server's key of {@code provider} belongs to: the configured one, else the vendor's. */
  public static String home(String provider, String configuredBaseUrl) {
    return configuredBaseUrl != null && !configuredBaseUrl.isBlank() ? configuredBaseUrl.strip()
        : VENDOR_BASE_URLS.get(provider);
  }

  /** Whether a key that belongs to {@code home} may be sent to {@code target}: both have the same origin. */
  public static boolean covers(String home, String target) {
    String origin = origin(home);
    return origin != null && origin.equals(origin(target));
  }

  /** {@code scheme://host:port} in lower case with the port made explicit, or null for no http(s) URL. */
  static String origin(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url.strip());
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        return null;
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException bad) {
      return null;
    }
  }
}
