package dev.parley.cluster;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test extension whose start takes {@code start_ms} (60 s unless configured): extensions deploy after every
 * service of a node's roles, so it holds a node in its start while its services already take requests.
 */
public class SlowStart extends VerticleBase {

  static final String HOLDING = "SlowStart holds the start";
  private static final Logger LOG = LoggerFactory.getLogger(SlowStart.class);

  @Override
  public Future<?> start() {
    long ms = config().getLong("start_ms", 60_000L);
    LOG.info("{} for {} ms", HOLDING, ms);
    return vertx.timer(ms);
  }
}
