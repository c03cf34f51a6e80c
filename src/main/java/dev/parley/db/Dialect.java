package dev.parley.db;

/** The SQL databases Parley runs on; each has its own migrations folder. */
public enum Dialect {
  SQLITE("db/sqlite"),
  POSTGRES("db/postgres");

  private final String migrations;

  Dialect(String migrations) {
    this.migrations = migrations;
  }

  public String migrationsLocation() {
    return "classpath:" + migrations;
  }
}
