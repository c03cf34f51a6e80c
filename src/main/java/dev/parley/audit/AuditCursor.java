package dev.parley.audit;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyset cursors of the audit log, opaque to clients: the id of the last entry of a page, signed (HMAC-SHA256, 128 bits, under a key
 * derived from the master key, so every node that shares it accepts the others' cursors) together with the
 * filters it was issued for. A changed, cut or foreign cursor, or one sent with other filters, is 400
 * {@code invalid_cursor}.
 */
final class AuditCursor {

  private static final int MAC_BYTES = 16;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  AuditCursor(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  String issue(long lastId, String filters) {
    ByteBuffer out = ByteBuffer.allocate(Long.BYTES + MAC_BYTES).putLong(lastId).put(mac(lastId, filters));
    return ENCODER.encodeToString(out.array());
  }

  /** The id the cursor was issued after. */
  long read(String cursor, String filters) {
    byte[] bytes;
    try {
      bytes = DECODER.decode(cursor);
    } catch (IllegalArgumentException malformed) {
      throw invalid();
    }
    if (bytes.length != Long.BYTES + MAC_BYTES) {
      throw invalid();
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long id = in.getLong();
    byte[] given = new byte[MAC_BYTES];
    in.get(given);
    if (id <= 0 || !MessageDigest.isEqual(given, mac(id, filters))) {
      throw invalid();
    }
    return id;
  }

  private byte[] mac(long id, String filters) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(ByteBuffer.allocate(Long.BYTES).putLong(id).array());
      mac.update((byte) '\n');
      return Arrays.copyOf(mac.doFinal(filters.getBytes(StandardCharsets.UTF_8)), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static ParleyException invalid() {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_cursor",
        "The cursor is not one this audit log issued for these filters; start again without it", "cursor", 0);
  }
}
