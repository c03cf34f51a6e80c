package dev.parley;

import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps every label of the HTTP metrics in a closed set, whatever a request (or an upstream server) sends: a
 * method outside the standard ones is {@code OTHER}; a request no route matched has the route {@code unmatched}
 * (a matched one has its route template, never the path); a status code outside {@link #CODES} becomes its class
 * ({@code 4xx}), or {@code other}. Applied as Vert.x label matches, so they hold before the first meter exists.
 */
final class MetricLabels {

  static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
  static final List<String> CODES = List.of("101", "200", "201", "202", "204", "206", "301", "302", "303", "304",
      "307", "308", "400", "401", "402", "403", "404", "405", "406", "408", "409", "411", "413", "414", "415", "416",
      "422", "429", "431", "499", "500", "501", "502", "503", "504");
  private static final String OTHER_METHOD = "OTHER";
  private static final String UNMATCHED = "unmatched";

  private MetricLabels() {
  }

  static List<Match> matches() {
    List<Match> matches = new ArrayList<>();
    for (MetricsDomain domain : List.of(MetricsDomain.HTTP_SERVER, MetricsDomain.HTTP_CLIENT)) {
      matches.add(regex(domain, Label.HTTP_METHOD, "(?!(" + String.join("|", METHODS) + ")$).*", OTHER_METHOD));
      String known = String.join("|", CODES);
      for (int digit = 1; digit <= 5; digit++) {
        matches.add(regex(domain, Label.HTTP_CODE, "(?!(" + known + ")$)" + digit + "\\d\\d", digit + "xx"));
      }
      matches.add(regex(domain, Label.HTTP_CODE, "(?!(" + known + "|[1-5]xx)$).*", "other"));
    }
    matches.add(new Match().setDomain(MetricsDomain.HTTP_SERVER).setLabel(Label.HTTP_ROUTE.toString())
        .setType(MatchType.EQUALS).setValue("").setAlias(UNMATCHED));
    return matches;
  }

  private static Match regex(MetricsDomain domain, Label label, String pattern, String alias) {
    return new Match().setDomain(domain).setLabel(label.toString()).setType(MatchType.REGEX).setValue(pattern)
        .setAlias(alias);
  }
}
