package dev.parley.db;

import io.vertx.jdbcclient.impl.actions.JDBCColumnDescriptor;
import io.vertx.jdbcclient.spi.JDBCColumnDescriptorProvider;
import io.vertx.jdbcclient.spi.JDBCDecoderImpl;
import java.lang.ref.WeakReference;
import java.sql.JDBCType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The JDBC client's decoder (SQLite's), reading each column's metadata once per result instead of once per row.
 * The client asks its column-descriptor provider again for every value it decodes, and each answer reads four
 * metadata properties and searches {@code JDBCType.values()}: a stored turn's id lookup paid that for every column of
 * every row. The provider is made once per result set, so its answers are kept while the same provider asks, per
 * thread (a result set is decoded on one thread). Registered for the JDBC client's {@code ServiceLoader}; decoding is
 * otherwise the library's own, as it is when it describes every row, for columns whose values are of their declared
 * kind (Parley's schema: integers, text, reals, blobs). A value of another kind in a column (a real in an INTEGER
 * column) decodes as the column's first value did, as it did before.
 */
public final class ColumnReuse extends JDBCDecoderImpl {

  private static final class Columns {
    /** Weakly: the provider holds its result set, which should not outlive its decoding on a pooled thread. */
    private WeakReference<JDBCColumnDescriptorProvider> provider = new WeakReference<>(null);
    private JDBCColumnDescriptor[] descriptors = new JDBCColumnDescriptor[16];
  }

  /** The types SQLite gives a NULL of a column declared with them, which decode its other values as they are. */
  private static final Set<JDBCType> DECLARED = EnumSet.of(JDBCType.VARCHAR, JDBCType.INTEGER, JDBCType.BIGINT,
      JDBCType.REAL, JDBCType.FLOAT, JDBCType.DOUBLE, JDBCType.BLOB, JDBCType.VARBINARY, JDBCType.BINARY);

  private final ThreadLocal<Columns> last = ThreadLocal.withInitial(Columns::new);

  @Override
  public Object parse(ResultSet rs, int pos, JDBCColumnDescriptorProvider lookup) throws SQLException {
    Columns columns = columns(lookup, pos);
    JDBCColumnDescriptor kept = columns.descriptors[pos];
    if (kept != null) {
      return read(rs, pos, kept);
    }
    JDBCColumnDescriptor described = lookup.apply(pos);
    Object value = read(rs, pos, described);
    // SQLite describes a column by the value in the current row. A NULL gets the declared type, kept as it decodes
    // the column's later values as the library would (an INTEGER one through read); an expression's NULL gets
    // NUMERIC, which would not, so such a column is described again until it holds a value.
    if (value != null || DECLARED.contains(described.jdbcType())) {
      columns.descriptors[pos] = described;
    }
    return value;
  }

  /**
   * Decodes as the library does when it describes each row: in a column of type INTEGER, SQLite calls a value INTEGER
   * (an Integer) or, past an int, BIGINT (a Long), whatever it called the column's value in an earlier row.
   */
  private Object read(ResultSet rs, int pos, JDBCColumnDescriptor descriptor) throws SQLException {
    if (descriptor.jdbcType() == JDBCType.INTEGER
        || descriptor.jdbcType() == JDBCType.BIGINT && "INTEGER".equalsIgnoreCase(descriptor.typeName())) {
      long value = rs.getLong(pos);
      if (rs.wasNull()) {
        return null;
      }
      return value == (int) value ? (Object) (int) value : (Object) value;
    }
    return decode(descriptor, cls -> cls == null ? rs.getObject(pos) : rs.getObject(pos, cls));
  }

  /** The columns kept for this result (a new provider is a new result), with room for {@code pos}. */
  private Columns columns(JDBCColumnDescriptorProvider lookup, int pos) {
    Columns columns = last.get();
    if (columns.provider.get() != lookup) {
      columns.provider = new WeakReference<>(lookup);
      Arrays.fill(columns.descriptors, null);
    }
    if (pos >= columns.descriptors.length) {
      columns.descriptors = Arrays.copyOf(columns.descriptors, Math.max(pos + 1, columns.descriptors.length * 2));
    }
    return columns;
  }
}
