package dev.parley.http;

import dev.parley.common.ParleyException;
import dev.parley.common.PasswordSeal;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Operators' passwords: Argon2id (Bouncy Castle) with OWASP's parameters (19 MiB, 2 passes, 1 lane), kept as a PHC
 * string ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}) so the parameters can grow later. Hashing runs on a
 * worker thread. A sign-in for an email without a password still checks against a dummy hash made the same way,
 * so it takes as long as a wrong password. A password is 12 to 256 characters.
 */
final class Passwords {

  static final int MIN_LENGTH = 12;
  static final int MAX_LENGTH = 256;
  private static final int MEMORY_KIB = 19_456;
  private static final int PASSES = 2;
  private static final int LANES = 1;
  private static final int HASH_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final Vertx vertx;
  private final SecretBox box;
  /** Made on a worker thread at the first sign-in. */
  private volatile String dummy;

  Passwords(Vertx vertx, SecretBox box) {
    this.vertx = vertx;
    this.box = box;
    vertx.executeBlocking(this::dummy, false);
  }

  /** The password of a request body, or a 422 on {@code password} saying the rule. */
  static String require(Object value) {
    if (value instanceof String password && password.length() >= MIN_LENGTH && password.length() <= MAX_LENGTH) {
      return password;
    }
    throw ParleyException.invalid("password", "password must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
  }

  /** The password's hash, sealed for the bus ({@link PasswordSeal}). */
  Future<String> hash(String password) {
    return vertx.executeBlocking(() -> PasswordSeal.seal(box, hashNow(password)), false);
  }

  /**
   * Whether {@code password} matches {@code sealed} (a hash as the bus carries it); with no stored hash, checks a dummy
   * and answers false.
   */
  Future<Boolean> verify(String password, String sealed) {
    return vertx.executeBlocking(() -> {
      String stored = PasswordSeal.open(box, sealed);
      boolean real = stored != null;
      boolean matches = matches(password, real ? stored : dummy());
      return real && matches;
    }, false);
  }

  private String dummy() {
    if (dummy == null) {
      byte[] random = new byte[24];
      RANDOM.nextBytes(random);
      dummy = hashNow(B64.encodeToString(random));
    }
    return dummy;
  }

  private static String hashNow(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(password, salt, MEMORY_KIB, PASSES, LANES, HASH_BYTES);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + PASSES + ",p=" + LANES + "$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(hash);
  }

  static boolean matches(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 6 || !parts[1].equals("argon2id")) {
      return false;
    }
    int memory = 0;
    int passes = 0;
    int lanes = 0;
    for (String setting : parts[3].split(",")) {
      int value = Integer.parseInt(setting.substring(2));
      switch (setting.charAt(0)) {
        case 'm' -> memory = value;
        case 't' -> passes = value;
        case 'p' -> lanes = value;
        default -> {
          return false;
        }
      }
    }
    byte[] expected = B64D.decode(parts[5]);
    byte[] actual = derive(password, B64D.decode(parts[4]), memory, passes, lanes, expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] derive(String password, byte[] salt, int memory, int passes, int lanes, int length) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt).withMemoryAsKB(memory).withIterations(passes).withParallelism(lanes).build());
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
