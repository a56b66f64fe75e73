package io.asyncsql.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.Retryable;
import org.springframework.util.Assert;

/**
 * {@link MeterBinder} and {@link RetryListener} of retried transactions, to be given to
 * {@link io.asyncsql.AsyncJdbcTemplate#withRetryListener(RetryListener)}:
 * {@code asyncsql.transactions.retries} (each retry, tagged with the type of the failure
 * retried) and {@code asyncsql.transactions.retries.exhausted} (transactions given up
 * after their last allowed attempt), both tagged with the engine's name. Retries count
 * only once the metrics are bound to a registry.
 * <p>
 * Not final, so that a framework can add its own listener type to it.
 *
 * @since 0.1.0
 */
public class TransactionRetryMetrics implements MeterBinder, RetryListener {

	private final String name;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	/**
	 * Create the meters of transactions run on the given engine.
	 * @param name the name of the engine, the value of the {@code name} tag
	 */
	public TransactionRetryMetrics(String name) {
		Assert.hasText(name, "'name' must not be empty");
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
