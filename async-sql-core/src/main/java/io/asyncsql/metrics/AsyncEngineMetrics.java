package io.asyncsql.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineBuilder;
import io.asyncsql.AsyncEngineListener;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * {@link MeterBinder} of an {@link AsyncEngine}, as Micrometer's
 * {@code ExecutorServiceMetrics} is of an executor: the gauges
 * {@code asyncsql.tasks.active} and {@code asyncsql.tasks.queued}, the counters
 * {@code asyncsql.tasks.rejected}, {@code asyncsql.leaks} and {@code asyncsql.batches}
 * read from {@link AsyncEngine#stats()}, and, when it is the engine's
 * {@link AsyncEngineListener}, the timers {@code asyncsql.tasks.wait} and
 * {@code asyncsql.tasks.execution} and the distribution summary
 * {@code asyncsql.batch.size}. Every meter is tagged with the engine's name.
 * <p>
 * For the timers, give the metrics to the builder and bind them once the engine is built:
 * <pre class="code">
 * AsyncEngineMetrics metrics = new AsyncEngineMetrics();
 * AsyncEngine engine = AsyncEngine.builder(dataSource).name("orders").listener(metrics).build();
 * metrics.bindTo(registry);
 * </pre> Timings that come before the metrics are bound to a registry are dropped, so a
 * registry may be created after the engine.
 *
 * @since 0.1.0
 */
public final class AsyncEngineMetrics implements MeterBinder, AsyncEngineListener {

	private final Iterable<Tag> tags;

	private final boolean timed;

	private volatile @Nullable AsyncEngine engine;

	private final List<Timer> waitTimers = new CopyOnWriteArrayList<>();

	private final List<Timer> executionTimers = new CopyOnWriteArrayList<>();

	private final List<DistributionSummary> batchSizes = new CopyOnWriteArrayList<>();

	/**
	 * Create metrics to be given to an engine's
	 * {@link AsyncEngineBuilder#listener(AsyncEngineListener) builder}, with timers.
	 */
	public AsyncEngineMetrics() {
		this(Tags.empty());
	}

	/**
	 * Create metrics to be given to an engine's
	 * {@link AsyncEngineBuilder#listener(AsyncEngineListener) builder}, with timers.
	 * @param tags tags added to every meter, besides the engine's name
	 */
	public AsyncEngineMetrics(Iterable<Tag> tags) {
		Assert.notNull(tags, "'tags' must not be null");
		this.tags = tags;
		this.timed = true;
	}

	/**
	 * Create the gauges and counters of an engine that is already built; without its
	 * listener, there are no timers.
	 * @param engine the engine
	 * @param tags tags added to every meter, besides the engine's name
	 */
	public AsyncEngineMetrics(AsyncEngine engine, Iterable<Tag> tags) {
		Assert.notNull(engine, "'engine' must not be null");
		Assert.notNull(tags, "'tags' must not be null");
		this.tags = tags;
		this.timed = false;
		this.engine = engine;
	}

	/**
	 * Return the engine these metrics are of.
	 * @return the engine, or {@code null} while the engine given these metrics as its
	 * listener is not built yet
	 */
	public @Nullable AsyncEngine getEngine() {
		return this.engine;
	}

	@Override
	public void engineBuilt(AsyncEngine engine) {
		Assert.state(this.timed && this.engine == null, () -> "AsyncEngineMetrics are already bound to engine '"
				+ name(this.engine) + "'; create new metrics for engine '" + engine.getName() + "'");
		this.engine = engine;
	}

	/**
	 * Register the engine's meters in the given registry.
	 * @throws IllegalStateException when these metrics were given to a builder whose
	 * engine is not built yet
	 */
	@Override
	public void bindTo(MeterRegistry registry) {
		AsyncEngine engine = this.engine;
		Assert.state(engine != null, "AsyncEngineMetrics are bound to a registry before their engine is built");
		Tags tags = Tags.concat(this.tags, "name", engine.getName());
		Gauge.builder("asyncsql.tasks.active", engine, (e) -> e.stats().active())
			.tags(tags)
			.description("Operations holding a permit: running on the database or holding a connection")
			.register(registry);
		Gauge.builder("asyncsql.tasks.queued", engine, (e) -> e.stats().queued())
			.tags(tags)
			.description("Operations waiting for a permit")
			.register(registry);
		FunctionCounter.builder("asyncsql.tasks.rejected", engine, (e) -> e.stats().rejected())
			.tags(tags)
			.description("Operations refused because the queue was full or the engine closed")
			.register(registry);
		FunctionCounter.builder("asyncsql.leaks", engine, (e) -> e.stats().leaks())
			.tags(tags)
			.description("Connections, transactions and streams held longer than the leak detection threshold")
			.register(registry);
		FunctionCounter.builder("asyncsql.batches", engine, (e) -> e.stats().batches())
			.tags(tags)
			.description("JDBC batches of coalesced updates sent (batching)")
			.register(registry);
		if (this.timed) {
			this.batchSizes.add(DistributionSummary.builder("asyncsql.batch.size")
				.tags(tags)
				.description("Updates per JDBC batch of coalesced updates")
				.register(registry));
			this.waitTimers.add(Timer.builder("asyncsql.tasks.wait")
				.tags(tags)
				.description("Time operations waited for a permit")
				.register(registry));
			this.executionTimers.add(Timer.builder("asyncsql.tasks.execution")
				.tags(tags)
				.description("Time operations ran on the database")
				.register(registry));
		}
	}

	@Override
	public void batchExecuted(int size) {
		for (DistributionSummary summary : this.batchSizes) {
			summary.record(size);
		}
	}

	@Override
	public void operationStarted(long waitNanos) {
		for (Timer timer : this.waitTimers) {
			timer.record(waitNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void operationFinished(long executionNanos, @Nullable Throwable failure) {
		for (Timer timer : this.executionTimers) {
			timer.record(executionNanos, TimeUnit.NANOSECONDS);
		}
	}

	private static String name(@Nullable AsyncEngine engine) {
		return (engine != null) ? engine.getName() : "?";
	}

}
