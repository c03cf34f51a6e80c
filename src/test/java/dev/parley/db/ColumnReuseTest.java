package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.jdbcclient.spi.JDBCColumnDescriptorProvider;
import io.vertx.jdbcclient.spi.JDBCDecoder;
import io.vertx.jdbcclient.spi.JDBCDecoderImpl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC client's decoder reads a result's column metadata once, and decodes every value as the library does. */
class ColumnReuseTest {

  @TempDir
  Path dataDir;

  @Test
  void the_jdbc_client_loads_the_decoder_that_reuses_column_metadata() {
    assertThat(ServiceLoader.load(JDBCDecoder.class).findFirst()).get().isInstanceOf(ColumnReuse.class);
  }

  @Test
  void each_column_is_described_once_per_result_and_every_value_decodes_as_the_librarys_decoder() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("columns.db"));
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id TEXT, n INTEGER, big BIGINT, x REAL, data BLOB, flag BOOLEAN, note TEXT)");
      statement.execute("INSERT INTO t VALUES ('a', 1, 9000000000, 1.5, x'0102', 1, NULL), "
          + "('b', NULL, -3, NULL, NULL, 0, 'é'), ('c', 7, 0, -2.25, x'', NULL, '')");
      ColumnReuse reusing = new ColumnReuse();
      JDBCDecoderImpl library = new JDBCDecoderImpl();
      for (int result = 0; result < 2; result++) {
        List<List<Object>> reused = new ArrayList<>();
        List<List<Object>> expected = new ArrayList<>();
        AtomicInteger described = new AtomicInteger();
        try (ResultSet rs = statement.executeQuery("SELECT * FROM t ORDER BY id")) {
          JDBCColumnDescriptorProvider metadata = JDBCColumnDescriptorProvider.fromResultMetaData(rs.getMetaData());
          JDBCColumnDescriptorProvider counting = column -> {
            described.incrementAndGet();
            return metadata.apply(column);
          };
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            List<Object> row = new ArrayList<>();
            List<Object> libraryRow = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
              row.add(comparable(reusing.parse(rs, i, counting)));
              libraryRow.add(comparable(library.parse(rs, i, metadata)));
            }
            reused.add(row);
            expected.add(libraryRow);
          }
          assertThat(described).as("descriptions asked of the provider, a new one for each result").hasValue(columns);
        }
        assertThat(reused).hasSize(3).isEqualTo(expected);
        assertThat(reused.get(0)).containsExactly("a", 1, 9000000000L, 1.5f, List.of((byte) 1, (byte) 2), 1, null);
      }
    }
  }

  @Test
  void a_millisecond_time_after_a_null_or_a_small_number_in_its_column_decodes_whole() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("times.db"));
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id TEXT, expires_at INTEGER, size INTEGER)");
      statement.execute("INSERT INTO t VALUES ('a', NULL, 5), ('b', 1796920298680, 1796920298680), ('c', 3, NULL)");
      ColumnReuse reusing = new ColumnReuse();
      JDBCDecoderImpl library = new JDBCDecoderImpl();
      for (String sql : List.of("SELECT id, expires_at, size FROM t ORDER BY id",
          "SELECT id, CASE WHEN id = 'a' THEN NULL ELSE expires_at END AS e, size + 0 AS s FROM t ORDER BY id")) {
        List<List<Object>> rows = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery(sql)) {
          JDBCColumnDescriptorProvider metadata = JDBCColumnDescriptorProvider.fromResultMetaData(rs.getMetaData());
          while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
              Object value = reusing.parse(rs, i, metadata);
              assertThat(value).as(sql).isEqualTo(library.parse(rs, i, metadata));
              row.add(value);
            }
            rows.add(row);
          }
        }
        assertThat(rows).as(sql).containsExactly(java.util.Arrays.asList("a", null, 5),
            List.of("b", 1796920298680L, 1796920298680L), java.util.Arrays.asList("c", 3, null));
      }
    }
  }

  /** Byte arrays (and buffers) as lists, so that rows compare by value. */
  private static Object comparable(Object value) {
    if (value instanceof byte[] bytes) {
      List<Byte> list = new ArrayList<>();
      for (byte b : bytes) {
        list.add(b);
      }
      return list;
    }
    if (value instanceof io.vertx.core.buffer.Buffer buffer) {
      return comparable(buffer.getBytes());
    }
    return value;
  }
}
