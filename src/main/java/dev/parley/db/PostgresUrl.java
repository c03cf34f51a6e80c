package dev.parley.db;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL address in the libpq URL form {@code postgres://user:password@host:port/database?sslmode=require}
 * ({@code postgresql://} too; user and password percent-encoded). One parsed address gives both the
 * vertx-pg-client options and the JDBC data source Flyway migrates with, so both reach the same database.
 *
 * <p>The password is never part of {@link #toString()} or of any exception message made here; a URL
 * that cannot be parsed is not echoed back at all, because it may hold the password anywhere.
 */
public final class PostgresUrl {

  static final String USAGE = "expected postgres://user:password@host:port/database[?sslmode=…]";

  private final String user;
  private final String password;
  private final String host;
  private final int port;
  private final String database;
  private final SslMode sslMode;
  private final String sslRootCert;

  private PostgresUrl(String user, String password, String host, int port, String database, SslMode sslMode,
      String sslRootCert) {
    this.user = user;
    this.password = password;
    this.host = host;
    this.port = port;
    this.database = database;
    this.sslMode = sslMode;
    this.sslRootCert = sslRootCert;
  }

  /** Whether {@code url} names PostgreSQL (by its scheme); anything else set as the URL is an error. */
  public static boolean isPostgres(String url) {
    String lower = url.trim().toLowerCase(Locale.ROOT);
    return lower.startsWith("postgres://") || lower.startsWith("postgresql://");
  }

  /**
   * Parses the URL.
   *
   * @throws IllegalArgumentException with a message that names what is wrong and never the password
   */
  public static PostgresUrl parse(String url) {
    if (url == null || !isPostgres(url)) {
      throw invalid("it must start with postgres:// or postgresql://");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      // The parser's message quotes the input: leave it out. Percent-encode special characters.
      throw invalid("it is not a valid URL (characters such as @ : / ? # in the password must be percent-encoded)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw invalid("it names no host, or the host or port is malformed");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw invalid("it must name one database, as in postgres://user:password@host:5432/parley");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    if (user == null || user.isEmpty()) {
      throw invalid("it names no user");
    }
    SslMode sslMode = SslMode.PREFER; // libpq's default
    String sslRootCert = null;
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        switch (key) {
          case "sslmode":
            sslMode = sslMode(value);
            break;
          case "sslrootcert":
            sslRootCert = value;
            break;
          default:
            throw invalid("the parameter '" + key + "' is not supported (only sslmode and sslrootcert are)");
        }
      }
    }
    if ((sslMode == SslMode.VERIFY_CA || sslMode == SslMode.VERIFY_FULL) && sslRootCert == null) {
      throw invalid("sslmode=" + sslMode.value + " needs sslrootcert=<path of the CA certificate, PEM>");
    }
    return new PostgresUrl(user, password, host, port, database, sslMode, sslRootCert);
  }

  /**
   * Options for vertx-pg-client. As with libpq, {@code prefer} (the default) and {@code require} encrypt
   * without verifying the server; {@code verify-ca} and {@code verify-full} check it against {@code sslrootcert}.
   */
  public PgConnectOptions connectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setCachePreparedStatements(true)
        .setSslMode(sslMode)
        .setProperties(Map.of("application_name", "parley"));
    if (password != null) {
      options.setPassword(password);
    }
    if (sslMode != SslMode.DISABLE) {
      ClientSSLOptions ssl = new ClientSSLOptions();
      if (sslRootCert != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertPath(sslRootCert));
      } else {
        ssl.setTrustAll(true);
      }
      if (sslMode == SslMode.VERIFY_FULL) {
        ssl.setHostnameVerificationAlgorithm("HTTPS");
      }
      options.setSslOptions(ssl);
    }
    return options;
  }

  /** A JDBC data source for the same database (used for migrations only). */
  public DataSource dataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setServerNames(new String[] {host});
    dataSource.setPortNumbers(new int[] {port});
    dataSource.setDatabaseName(database);
    dataSource.setUser(user);
    if (password != null) {
      dataSource.setPassword(password);
    }
    dataSource.setSslMode(sslMode.value);
    if (sslRootCert != null) {
      dataSource.setSslRootCert(sslRootCert);
    }
    dataSource.setApplicationName("parley-migrations");
    return dataSource;
  }

  /** The JDBC URL of the same database, without user or password. */
  public String jdbcUrl() {
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + hostPart + ":" + port + "/" + database + "?sslmode=" + sslMode.value;
  }

  public String user() {
    return user;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  /** Whether {@code text} contains the password (for scrubbing driver messages before they are shown). */
  boolean revealsPassword(String text) {
    return text != null && password != null && !password.isEmpty() && text.contains(password);
  }

  /** The address without the password: {@code postgres://user@host:port/database}. */
  @Override
  public String toString() {
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    return "postgres://" + user + "@" + hostPart + ":" + port + "/" + database;
  }

  private static SslMode sslMode(String value) {
    for (SslMode mode : SslMode.values()) {
      if (mode.value.equals(value)) {
        return mode;
      }
    }
    throw invalid("sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full");
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("it holds a malformed percent-encoding");
    }
  }

  private static IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException("PARLEY_DATABASE_URL (database.url) is not usable: " + why + "; " + USAGE);
  }
}
