package io.asyncsql.autoconfigure.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Meters of the context's {@link AsyncEngine}: gauges of its queue and permits and
 * counters of rejections and leaks read from {@link AsyncEngine#stats()}, and timers fed
 * by the engine as its {@link AsyncEngineListener}.
 * <p>
 * The engine is built, with this binder as its listener, before Spring Boot binds meters
 * to registries (after all singletons exist), so the binder looks the engine up only when
 * bound and drops timings that come before it. That keeps the engine from forcing the
 * meter registry to be created early.
 */
final class AsyncEngineMeterBinder implements MeterBinder, AsyncEngineListener {

	private final ObjectProvider<AsyncEngine> engine;

	private final List<Timer> waitTimers = new CopyOnWriteArrayList<>();

	private final List<Timer> executionTimers = new CopyOnWriteArrayList<>();

	AsyncEngineMeterBinder(ObjectProvider<AsyncEngine> engine) {
		this.engine = engine;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		AsyncEngine engine = this.engine.getIfUnique();
		if (engine == null) {
			return;
		}
		Tags tags = Tags.of("name", engine.getName());
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
			.description("Connections, transactions and streams held longer than async-sql.leak-detection-threshold")
			.register(registry);
		this.waitTimers.add(Timer.builder("asyncsql.tasks.wait")
			.tags(tags)
			.description("Time operations waited for a permit")
			.register(registry));
		this.executionTimers.add(Timer.builder("asyncsql.tasks.execution")
			.tags(tags)
			.description("Time operations ran on the database")
			.register(registry));
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

}
