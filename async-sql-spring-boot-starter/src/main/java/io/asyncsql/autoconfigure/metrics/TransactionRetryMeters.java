package io.asyncsql.autoconfigure.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.asyncsql.autoconfigure.TransactionRetryListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.Retryable;

/**
 * Counters of the auto-configured template's retried transactions:
 * {@code asyncsql.transactions.retries} (each retry, tagged with the type of the failure
 * retried) and {@code asyncsql.transactions.retries.exhausted} (transactions given up
 * after their last allowed attempt). Like {@link AsyncEngineMeterBinder}, it counts only
 * once bound, so the template does not force the registry into being early.
 */
final class TransactionRetryMeters implements MeterBinder, TransactionRetryListener {

	private final String name;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	TransactionRetryMeters(String name) {
		this.name = name;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		retries(registry, "none");
		exhausted(registry);
	}

	@Override
	public void beforeRetry(RetryPolicy retryPolicy, Retryable<?> retryable, RetryState retryState) {
		String exception = exceptionTag(retryState.getLastException());
		for (MeterRegistry registry : this.registries) {
			retries(registry, exception).increment();
		}
	}

	@Override
	public void onRetryPolicyExhaustion(RetryPolicy retryPolicy, Retryable<?> retryable, RetryException exception) {
		for (MeterRegistry registry : this.registries) {
			exhausted(registry).increment();
		}
	}

	private Counter retries(MeterRegistry registry, String exception) {
		return Counter.builder("asyncsql.transactions.retries")
			.tag("name", this.name)
			.tag("exception", exception)
			.description("Transactions run again after a transient failure")
			.register(registry);
	}

	private Counter exhausted(MeterRegistry registry) {
		return Counter.builder("asyncsql.transactions.retries.exhausted")
			.tag("name", this.name)
			.description("Transactions given up after the retries their policy allows")
			.register(registry);
	}

	private static String exceptionTag(@Nullable Throwable failure) {
		return (failure != null) ? failure.getClass().getSimpleName() : "none";
	}

}
