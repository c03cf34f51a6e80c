package dev.parley.testing;

import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real SMTP server in the test's process (GreenMail) on a free loopback port, and the {@code mail} config for it. As
 * a {@code @RegisterExtension} static field it runs for the test class, each test starting with no mail received.
 */
public final class SmtpServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  public final int port = TestApp.freePort();
  private GreenMail server;

  /** The {@code mail} object of a Parley config that sends through this server, without TLS. */
  public JsonObject config() {
    return new JsonObject().put("smtp_host", "127.0.0.1").put("smtp_port", port).put("smtp_tls", "none")
        .put("from", "parley@example.test");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  public void start() {
    server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    server.start();
  }

  public void stop() {
    server.stop();
  }

  /** Forgets every mail received so far. */
  public void clear() {
    try {
      server.purgeEmailFromAllMailboxes();
    } catch (FolderException e) {
      throw new IllegalStateException(e);
    }
  }

  public MimeMessage[] received() {
    return server.getReceivedMessages();
  }

  /** Whether {@code count} mails in all arrived within {@code timeoutMs}. */
  public boolean waitFor(long timeoutMs, int count) {
    return server.waitForIncomingEmail(timeoutMs, count);
  }
}
