package io.asyncsql.autoconfigure.metrics;

import io.asyncsql.AsyncEngine;
import io.asyncsql.ReadReplica;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges of the reader's engine, as {@link AsyncEngineMeterBinder} binds the primary's,
 * tagged with the reader's name, and {@code asyncsql.reader.down} (1 while the reader is
 * thought down).
 */
final class ReadReplicaMeterBinder implements MeterBinder {

	private final ReadReplica replica;

	ReadReplicaMeterBinder(ReadReplica replica) {
		this.replica = replica;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		AsyncEngine engine = this.replica.getEngine();
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
		Gauge.builder("asyncsql.reader.down", this.replica, (r) -> r.isDown() ? 1 : 0)
			.tags(tags)
			.description("Whether the reader was last found down")
			.register(registry);
	}

}
