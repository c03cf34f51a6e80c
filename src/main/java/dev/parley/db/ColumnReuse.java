package dev.parley.db;

import io.vertx.jdbcclient.impl.actions.JDBCColumnDescriptor;
import io.vertx.jdbcclient.spi.JDBCColumnDescriptorProvider;
import io.vertx.jdbcclient.spi.JDBCDecoderImpl;
import java.lang.ref.WeakReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The JDBC client's decoder (SQLite's), reading each column's metadata once per result instead of once per row.
 * The client asks its column-descriptor provider again for every value it decodes, and each answer reads four
 * metadata properties and searches {@code JDBCType.values()}: a stored turn's id lookup paid that for every column of
 * every row. The provider is made once per result set, so its answers are kept while the same provider asks, per
 * thread (a result set is decoded on one thread). Registered for the JDBC client's {@code ServiceLoader}; decoding is
 * otherwise the library's own.
 */
public final class ColumnReuse extends JDBCDecoderImpl {

  private static final class Columns {
    /** Weakly: the provider holds its result set, which should not outlive its decoding on a pooled thread. */
    private WeakReference<JDBCColumnDescriptorProvider> provider = new WeakReference<>(null);
    private JDBCColumnDescriptor[] descriptors = new JDBCColumnDescriptor[16];
  }

  private final ThreadLocal<Columns> last = ThreadLocal.withInitial(Columns::new);

  @Override
  public Object parse(ResultSet rs, int pos, JDBCColumnDescriptorProvider lookup) throws SQLException {
    return decode(descriptor(lookup, pos), cls -> cls == null ? rs.getObject(pos) : rs.getObject(pos, cls));
  }

  private JDBCColumnDescriptor descriptor(JDBCColumnDescriptorProvider lookup, int pos) throws SQLException {
    Columns columns = last.get();
    if (columns.provider.get() != lookup) {
      columns.provider = new WeakReference<>(lookup);
      Arrays.fill(columns.descriptors, null);
    }
    if (pos >= columns.descriptors.length) {
      columns.descriptors = Arrays.copyOf(columns.descriptors, Math.max(pos + 1, columns.descriptors.length * 2));
    }
    JDBCColumnDescriptor descriptor = columns.descriptors[pos];
    if (descriptor == null) {
      descriptor = lookup.apply(pos);
      columns.descriptors[pos] = descriptor;
    }
    return descriptor;
  }
}
