package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JvmDefaultsTest {

  /** The flags of a pretend JVM, which refuses a MaxHeapFreeRatio below MinHeapFreeRatio as HotSpot does. */
  private static final class PretendJvm implements JvmDefaults.Flags {
    final Map<String, String> values = new HashMap<>(Map.of("MinHeapFreeRatio", "40", "MaxHeapFreeRatio", "70",
        "G1PeriodicGCInterval", "0", "UseG1GC", "true"));
    final Set<String> given = new HashSet<>();

    PretendJvm launchedWith(String flag, String value) {
      values.put(flag, value);
      given.add(flag);
      return this;
    }

    @Override
    public String value(String flag) {
      return values.get(flag);
    }

    @Override
    public boolean isDefault(String flag) {
      return values.containsKey(flag) && !given.contains(flag);
    }

    @Override
    public void set(String flag, String value) {
      int v = Integer.parseInt(value);
      if (flag.equals("MaxHeapFreeRatio") && v < Integer.parseInt(values.get("MinHeapFreeRatio"))
          || flag.equals("MinHeapFreeRatio") && v > Integer.parseInt(values.get("MaxHeapFreeRatio"))) {
        throw new IllegalArgumentException(flag + " out of range");
      }
      values.put(flag, value);
    }
  }

  @Test
  void a_jvm_launched_without_flags_gets_the_small_server_defaults() {
    PretendJvm jvm = new PretendJvm();
    List<JvmDefaults.Setting> applied = JvmDefaults.apply(jvm);
    assertThat(applied).extracting(Object::toString)
        .containsExactly("MinHeapFreeRatio=10", "MaxHeapFreeRatio=30", "G1PeriodicGCInterval=5000");
    assertThat(jvm.values).containsEntry("MaxHeapFreeRatio", "30").containsEntry("G1PeriodicGCInterval", "5000");
  }

  @Test
  void a_flag_the_operator_gave_is_left_as_given() {
    PretendJvm jvm = new PretendJvm().launchedWith("G1PeriodicGCInterval", "60000");
    JvmDefaults.apply(jvm);
    assertThat(jvm.values).containsEntry("G1PeriodicGCInterval", "60000").containsEntry("MaxHeapFreeRatio", "30");
  }

  @Test
  void the_heap_free_ratios_are_left_alone_as_a_pair_when_the_operator_set_either() {
    PretendJvm jvm = new PretendJvm().launchedWith("MinHeapFreeRatio", "50");
    assertThat(JvmDefaults.apply(jvm)).extracting(Object::toString).containsExactly("G1PeriodicGCInterval=5000");
    assertThat(jvm.values).containsEntry("MinHeapFreeRatio", "50").containsEntry("MaxHeapFreeRatio", "70");
  }

  @Test
  void another_collector_gets_no_periodic_collection_and_a_jvm_without_a_flag_is_not_asked_to_set_it() {
    PretendJvm serial = new PretendJvm().launchedWith("UseG1GC", "false");
    assertThat(JvmDefaults.apply(serial)).extracting(Object::toString)
        .containsExactly("MinHeapFreeRatio=10", "MaxHeapFreeRatio=30");

    PretendJvm older = new PretendJvm();
    older.values.remove("G1PeriodicGCInterval");
    older.values.remove("MinHeapFreeRatio");
    assertThat(JvmDefaults.apply(older)).isEmpty();
  }

  @Test
  void off_in_the_environment_or_a_property_turns_them_off() {
    assertThat(Launcher.isOff("off")).isTrue();
    assertThat(Launcher.isOff(" FALSE ")).isTrue();
    assertThat(Launcher.isOff(null)).isFalse();
    assertThat(Launcher.isOff("on")).isFalse();
  }

  @Test
  void the_running_jvm_tells_its_flags_and_whether_they_are_its_defaults() {
    JvmDefaults.Flags running = JvmDefaults.running();
    assertThat(running.value("MaxHeapFreeRatio")).matches("\\d+");
    assertThat(running.value("NoSuchFlagInAnyJvm")).isNull();
    assertThat(running.isDefault("NoSuchFlagInAnyJvm")).isFalse();
    assertThat(running.isDefault("PrintConcurrentLocks")).isTrue();
    // the maximum heap is the operator's (-Xmx) or the JVM's ergonomics': never the flag's default
    assertThat(running.isDefault("MaxHeapSize")).isFalse();
  }
}
