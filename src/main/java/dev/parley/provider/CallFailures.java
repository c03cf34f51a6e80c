package dev.parley.provider;

import dev.parley.common.Failures;
import dev.parley.common.ParleyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The failure a caller sees for a failed call, with what its attempts spent, logged once here. */
final class CallFailures {

  private static final Logger LOG = LoggerFactory.getLogger(CallFailures.class);

  private CallFailures() {
  }

  /**
   * The safe failure: a {@link ProviderFailure} named after the provider, a {@link ParleyException} as it is,
   * anything else made safe ({@link Failures#safe}, {@code where} names the address). It carries {@code spent}
   * when any attempt spent.
   */
  static ParleyException of(ModelProvider provider, ModelCall call, Throwable failure, Spend spend, String where) {
    ParleyException safe;
    if (failure instanceof ProviderFailure upstream) {
      safe = upstream.toParley(provider.displayName());
      if (upstream.kind() == ProviderFailure.Kind.CANCELLED) {
        LOG.info("{} stream stopped: the client went away: model={} bot={} request={}", provider.displayName(),
            call.model(), call.botId(), call.requestId());
      } else {
        LOG.warn("{} call failed: code={} upstream_status={} cause=\"{}\" model={} bot={} request={}",
            provider.displayName(), safe.code(), upstream.upstreamStatus(), upstream.getMessage(), call.model(),
            call.botId(), call.requestId());
      }
    } else if (failure instanceof ParleyException parley) {
      safe = parley;
      LOG.warn("{} call failed: code={} bot={} request={}", provider.displayName(), safe.code(), call.botId(),
          call.requestId());
    } else {
      safe = Failures.safe(failure, where);
    }
    return spend.any() ? safe.withSpent(spend.spent(provider.name(), call.model())) : safe;
  }
}
