package dev.parley;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory defaults for a JVM launched without flags ({@code java -jar parley.jar}, issue 17). On a large machine the
 * JVM gives G1 a quarter of the RAM as its maximum heap and keeps whatever heap it grew, so a node that served one
 * burst holds that memory while idle. The maximum heap, the collector and the rest of the JVM's ergonomics cannot
 * change once it runs; its <em>manageable</em> flags can. At start-up, before Vert.x exists, Parley sets those the
 * operator did not (whose origin is still the JVM's default), through {@link HotSpotDiagnosticMXBean}:
 * <ul>
 *   <li>{@code MinHeapFreeRatio} 10 and {@code MaxHeapFreeRatio} 30 (JVM: 40 and 70), a pair left alone when the
 *   operator set either: after a concurrent cycle or a full collection G1 gives back the heap beyond 30 % free;</li>
 *   <li>{@code G1PeriodicGCInterval} {@value #PERIODIC_GC_MS} ms when G1 runs (JVM: 0, never): when no collection
 *   ran for that long, G1 starts a concurrent cycle, so an idle node gives back what start-up or a burst grew.
 *   A busy node collects anyway and never runs it.</li>
 * </ul>
 * {@code PARLEY_JVM_DEFAULTS=off} (environment or {@code -D}) sets nothing. The figures are in docs/performance.md.
 */
final class JvmDefaults {

  /** The idle interval after which G1 starts a concurrent cycle that returns unused heap. */
  static final long PERIODIC_GC_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(JvmDefaults.class);

  /** A flag and the value Parley gave it. */
  record Setting(String flag, String value) {
    @Override
    public String toString() {
      return flag + "=" + value;
    }
  }

  /** HotSpot flags: the running JVM's ({@link #running()}) or a test's. */
  interface Flags {
    /** The flag's value, or null when this JVM has no such flag. */
    String value(String flag);

    /** Whether the flag still has the JVM's default value: neither the operator nor the JVM's ergonomics set it. */
    boolean isDefault(String flag);

    /** Sets a manageable flag; throws {@link IllegalArgumentException} when the JVM refuses the value. */
    void set(String flag, String value);
  }

  private JvmDefaults() {
  }

  /** Applies the defaults to the running JVM, unless {@code PARLEY_JVM_DEFAULTS} is {@code off}, and logs them. */
  static void applyToRunningJvm() {
    String setting = System.getProperty("PARLEY_JVM_DEFAULTS", System.getenv("PARLEY_JVM_DEFAULTS"));
    if (Launcher.isOff(setting)) {
      LOG.info("JVM memory defaults off (PARLEY_JVM_DEFAULTS={}): the JVM runs as launched", setting);
      return;
    }
    Flags flags;
    try {
      flags = running();
    } catch (RuntimeException | LinkageError notHotSpot) {
      LOG.info("JVM memory defaults not applied: this JVM has no HotSpot diagnostic bean");
      return;
    }
    List<Setting> applied = apply(flags);
    if (!applied.isEmpty()) {
      LOG.info("JVM memory defaults: {} (flags given to the JVM win; PARLEY_JVM_DEFAULTS=off keeps the JVM's own)",
          applied);
    }
  }

  /** Sets each default whose flag the operator left alone; returns what was set. */
  static List<Setting> apply(Flags flags) {
    List<Setting> applied = new ArrayList<>();
    if (flags.value("MinHeapFreeRatio") != null && flags.isDefault("MinHeapFreeRatio")
        && flags.value("MaxHeapFreeRatio") != null && flags.isDefault("MaxHeapFreeRatio")) {
      // lowered in this order, so that Min <= Max holds after each step
      set(flags, new Setting("MinHeapFreeRatio", "10"), applied);
      set(flags, new Setting("MaxHeapFreeRatio", "30"), applied);
    }
    if ("true".equals(flags.value("UseG1GC")) && flags.value("G1PeriodicGCInterval") != null
        && flags.isDefault("G1PeriodicGCInterval")) {
      set(flags, new Setting("G1PeriodicGCInterval", Long.toString(PERIODIC_GC_MS)), applied);
    }
    return applied;
  }

  private static void set(Flags flags, Setting setting, List<Setting> applied) {
    try {
      flags.set(setting.flag(), setting.value());
      applied.add(setting);
    } catch (RuntimeException refused) {
      LOG.warn("The JVM refused {}: {}", setting, refused.getMessage());
    }
  }

  /** The running JVM's flags, through its HotSpot diagnostic bean. */
  static Flags running() {
    HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (bean == null) {
      throw new IllegalStateException("no HotSpotDiagnosticMXBean");
    }
    return new Flags() {
      @Override
      public String value(String flag) {
        VMOption option = option(flag);
        return option == null ? null : option.getValue();
      }

      @Override
      public boolean isDefault(String flag) {
        VMOption option = option(flag);
        return option != null && option.getOrigin() == VMOption.Origin.DEFAULT;
      }

      @Override
      public void set(String flag, String value) {
        bean.setVMOption(flag, value);
      }

      private VMOption option(String flag) {
        try {
          return bean.getVMOption(flag);
        } catch (IllegalArgumentException unknown) {
          return null;
        }
      }
    };
  }
}
